using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Baton.AgentFramework.Tests;

/// <summary>A chat client that answers "reply N" and records every conversation it was sent, to see what a MAF agent remembered.</summary>
internal sealed class RecordingChatClient : IChatClient
{
    private readonly List<IReadOnlyList<ChatMessage>> _calls = [];

    public IReadOnlyList<IReadOnlyList<ChatMessage>> Calls
    {
        get
        {
            lock (_calls) return [.. _calls];
        }
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        int number;
        lock (_calls)
        {
            _calls.Add([.. messages]);
            number = _calls.Count;
        }

        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"reply {number}"))
        {
            Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 2 },
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
