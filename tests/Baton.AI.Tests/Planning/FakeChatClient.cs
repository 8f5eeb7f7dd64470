using Baton.AI.Planning;
using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace Baton.AI.Tests.Planning;

/// <summary>A test-only chat client: replies from a script, in order, and records every request.</summary>
internal sealed class FakeChatClient(params string[] replies) : IChatClient
{
    private readonly ConcurrentQueue<string> _replies = new(replies);
    private readonly ConcurrentQueue<(ChatMessage[] Messages, ChatOptions? Options)> _requests = new();

    public IReadOnlyList<(ChatMessage[] Messages, ChatOptions? Options)> Requests => _requests.ToArray();

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        _requests.Enqueue((messages.ToArray(), options));
        if (!_replies.TryDequeue(out var reply)) throw new InvalidOperationException($"the script has no reply for request {_requests.Count}");
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply))
        {
            Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15 },
        });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the planner does not stream");

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    /// <summary>The last message of a request, as text.</summary>
    public string LastMessageOf(int request) => Requests[request].Messages[^1].Text;
}
