using Microsoft.Extensions.AI;

namespace Baton.AI.Tests.Models;

/// <summary>Passes calls to a client and keeps a copy of every request's messages.</summary>
internal sealed class RecordingChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    public List<List<ChatMessage>> Requests { get; } = [];

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        lock (Requests) Requests.Add([.. messages]);
        return base.GetResponseAsync(messages, options, cancellationToken);
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        lock (Requests) Requests.Add([.. messages]);
        return base.GetStreamingResponseAsync(messages, options, cancellationToken);
    }

    /// <summary>The results of tool calls sent back in a request.</summary>
    public static IEnumerable<string> ToolResults(IEnumerable<ChatMessage> request) =>
        request.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.Result?.ToString() ?? "");
}
