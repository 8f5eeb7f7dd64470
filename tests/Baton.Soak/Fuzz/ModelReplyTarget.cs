using System.Text;
using Baton.AI;
using Baton.Testing;
using Microsoft.Extensions.AI;

namespace Baton.Soak.Fuzz;

/// <summary>
/// Model replies a provider could send, through <see cref="ModelAgent"/> on a stub chat client: malformed JSON, JSON of
/// the wrong schema, huge and deeply nested replies, text that is not valid UTF-16/UTF-8, absurd usage and confidence,
/// tool calls to unknown tools and to a known one with absurd arguments. The agent must return a result (a failure
/// with a message is fine) or throw <see cref="AgentException"/>; anything else escaping it is a crash.
/// </summary>
public sealed class ModelReplyTarget : IFuzzTarget
{
    private static readonly AIFunction Lookup = AIFunctionFactory.Create((string query, int limit) => $"found {query.Length} chars, limit {limit}", "lookup", "Looks something up.");

    /// <inheritdoc/>
    public string Name => "model-replies";

    /// <inheritdoc/>
    public int Weight => 20;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task<FuzzOutcome> RunAsync(int index, Random random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(random);
        var replies = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Reply(random)).ToList();
        var options = new ModelAgentOptions
        {
            Instructions = random.Next(4) == 0 ? "Answer about {{ input }}." : null,
            Tools = random.Next(2) == 0 ? [Lookup] : [],
            MaxTurns = random.Next(1, 4),
            Output = random.Next(2) == 0 ? OutputSchema.FromJson("""{"type":"object","properties":{"analysis":{"type":"string"},"confidence":{"type":"number"}},"required":["analysis"]}""") : null,
            Stream = random.Next(4) == 0,
        };
        var agent = new ModelAgent("fuzzed", new StubChatClient(replies), options);
        AgentResult result;
        try
        {
            result = await agent.InvokeAsync(Payload.FromText(random.Next(3) == 0 ? "\uD800 lone" : "question"), new RecordingStepContext(), cancellationToken);
        }
        catch (AgentException ex)
        {
            if (string.IsNullOrWhiteSpace(ex.Message)) throw new FuzzFailure("an AgentException without a message");
            return FuzzOutcome.Refused;
        }

        if (result.IsSuccess) return FuzzOutcome.Accepted;
        if (string.IsNullOrWhiteSpace(result.Error!.Message)) throw new FuzzFailure($"a failed result without a message (code {result.Error.Code})");
        return FuzzOutcome.Refused;
    }

    private static ChatResponse Reply(Random random)
    {
        var message = new ChatMessage(ChatRole.Assistant, (string?)null);
        switch (random.Next(9))
        {
            case 0:
                message.Contents.Add(new TextContent(Pick(random, "{", "{\"analysis\": ", "{\"analysis\": \"x\",}", "[1, 2", "null", "\"just a string\"", "{\"analysis\": 5}", "{\"confidence\": \"high\"}", "")));
                break;
            case 1:
                message.Contents.Add(new TextContent("{\"analysis\": \"ok\", \"confidence\": " + Pick(random, "0.5", "1e999", "-1", "NaN", "2", "null", "\"0.9\"") + "}"));
                break;
            case 2 when random.Next(8) == 0:
                // Huge: megabytes of text, or a JSON string that big.
                var size = random.Next(100_000, 2_000_000);
                message.Contents.Add(new TextContent(random.Next(2) == 0 ? new string('x', size) : "{\"analysis\": \"" + new string('y', size) + "\"}"));
                break;
            case 3:
                // Deeply nested JSON.
                var depth = random.Next(100, random.Next(8) == 0 ? 100_000 : 2_000);
                message.Contents.Add(new TextContent(random.Next(2) == 0 ? new string('[', depth) + new string(']', depth) : string.Concat(Enumerable.Repeat("{\"analysis\":", depth)) + "\"x\"" + new string('}', depth)));
                break;
            case 4:
                // Not valid UTF-16 (lone surrogates), or bytes that were not UTF-8 decoded as if they were.
                var bytes = new byte[random.Next(1, 2000)];
                random.NextBytes(bytes);
                message.Contents.Add(new TextContent(random.Next(2) == 0 ? "{\"analysis\": \"\uD800\uDC00\uDFFF\uD800\"}" : Encoding.UTF8.GetString(bytes)));
                break;
            case 5:
                // A call to a tool that does not exist, with absurd arguments.
                message.Contents.Add(new FunctionCallContent(Pick(random, "c1", "", "\0"), Pick(random, "rm_rf", "", "lookup\0", new string('t', 10_000), "transfer_to_root"), AbsurdArguments(random)));
                break;
            case 6:
                // The known tool with wrong, missing or absurd arguments.
                message.Contents.Add(new FunctionCallContent("c2", "lookup", random.Next(3) == 0 ? null : AbsurdArguments(random)));
                break;
            case 7:
                // Many calls at once, known and unknown.
                for (var i = 0; i < random.Next(2, 200); i++) message.Contents.Add(new FunctionCallContent($"c{i}", i % 2 == 0 ? "lookup" : $"tool{i}", new Dictionary<string, object?> { ["query"] = "q", ["limit"] = i }));
                break;
            default:
                message.Contents.Add(new TextContent("{\"analysis\": \"fine\", \"confidence\": 0.8}"));
                break;
        }

        var response = new ChatResponse(message);
        if (random.Next(3) == 0)
        {
            response.Usage = new UsageDetails { InputTokenCount = Pick<long?>(random, -5, long.MaxValue, null, 10), OutputTokenCount = Pick<long?>(random, -1, long.MaxValue, 3), TotalTokenCount = Pick<long?>(random, long.MinValue, 0, null) };
        }

        if (random.Next(5) == 0) (response.AdditionalProperties ??= [])["confidence"] = Pick<object?>(random, double.NaN, double.PositiveInfinity, -3.0, "high", null);
        return response;
    }

    private static Dictionary<string, object?> AbsurdArguments(Random random)
    {
        var arguments = new Dictionary<string, object?>();
        for (var i = 0; i < random.Next(0, 6); i++)
        {
            arguments[Pick(random, "query", "limit", "", "__proto__", "constructor", new string('k', 1000))] = random.Next(7) switch
            {
                0 => new string('v', random.Next(0, random.Next(10) == 0 ? 1_000_000 : 1_000)),
                // Only what JSON on the wire can carry: a provider's arguments arrive as JSON.
                1 => Pick<object?>(random, long.MaxValue, long.MinValue, -0.0, 1e308, double.Epsilon),
                2 => null,
                3 => Enumerable.Range(0, random.Next(0, 10_000)).ToArray(),
                4 => System.Text.Json.JsonDocument.Parse(new string('[', 60) + new string(']', 60)).RootElement,
                5 => new Dictionary<string, object?> { ["nested"] = new Dictionary<string, object?> { ["deeper"] = true } },
                _ => "\uDFFF",
            };
        }

        return arguments;
    }

    private static T Pick<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>A chat client that sends the given replies in order, the last one again and again.</summary>
    private sealed class StubChatClient(List<ChatResponse> replies) : IChatClient
    {
        private int _calls;

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var reply = replies[Math.Min(_calls++, replies.Count - 1)];
            // A fresh copy per call: the agent adds the reply's messages to its history.
            return Task.FromResult(new ChatResponse([.. reply.Messages.Select(m => new ChatMessage(m.Role, [.. m.Contents]))]) { Usage = reply.Usage, AdditionalProperties = reply.AdditionalProperties });
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var response = await GetResponseAsync(messages, options, cancellationToken);
            foreach (var update in response.ToChatResponseUpdates()) yield return update;
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
