using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace Baton.AI;

/// <summary>
/// The built-in <c>scripted</c> model: deterministic replies, rules, tool calls, delays and provider faults, for
/// tests, demos and fault injection. One instance serves many runs; call numbers count per run (pass the run id as
/// <see cref="RunIdProperty"/> in <see cref="ChatOptions.AdditionalProperties"/>; without it, all calls share one count).
/// </summary>
/// <remarks>
/// A resumed run must get the replies an uninterrupted run would: the caller restores the run's count with
/// <see cref="RestoreCallCount"/> (Baton's model agent records it in the run state and does this on resume).
/// </remarks>
public sealed class ScriptedChatClient : IChatClient
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key carrying the calling run's id.</summary>
    public const string RunIdProperty = "baton.run_id";

    /// <summary>The <see cref="ChatResponse.AdditionalProperties"/> key carrying a reply's confidence (a double in 0..1).</summary>
    public const string ConfidenceProperty = "confidence";

    private const string NoRun = "";
    private readonly ScriptedModelOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<(string RunId, int Calls)>> _runs = new(StringComparer.Ordinal);
    private readonly LinkedList<(string RunId, int Calls)> _recent = new();

    /// <summary>Creates a scripted model.</summary>
    /// <exception cref="ArgumentException">It has neither replies nor rules, or a fault names a call below 1.</exception>
    public ScriptedChatClient(ScriptedModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Replies.Count == 0 && options.Rules.Count == 0) throw new ArgumentException("a scripted model needs replies or rules", nameof(options));
        if (options.Faults.Any(f => f.Call < 1)) throw new ArgumentException("fault call numbers start at 1", nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Delay, TimeSpan.Zero);
        _options = options;
        _time = options.TimeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates a scripted model that replies these texts in order (the last repeats).</summary>
    public ScriptedChatClient(params string[] replies)
        : this(new ScriptedModelOptions { Replies = [.. ScriptedReply.Texts(replies)] })
    {
    }

    /// <summary>The settings.</summary>
    public ScriptedModelOptions Options => _options;

    /// <summary>How many calls this model has had in a run (0 for a run it does not know).</summary>
    public int CallsMade(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        lock (_lock) return _runs.TryGetValue(runId, out var node) ? node.Value.Calls : 0;
    }

    /// <summary>
    /// Continues a resumed run's count where its journal left it: the count becomes <paramref name="calls"/> unless
    /// this instance has already seen more calls of the run.
    /// </summary>
    public void RestoreCallCount(string runId, int calls)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentOutOfRangeException.ThrowIfNegative(calls);
        lock (_lock)
        {
            var node = Touch(runId);
            if (node.Value.Calls < calls) node.Value = (runId, calls);
        }
    }

    /// <summary>
    /// Sets a run's count back to <paramref name="calls"/>: a step that suspended for a person and runs again in this
    /// process makes the same calls again, and must get the same replies.
    /// </summary>
    internal void RewindCallCount(string runId, int calls)
    {
        lock (_lock) Touch(runId).Value = (runId, calls);
    }

    /// <summary>Forgets a finished run's count.</summary>
    public void ForgetRun(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        lock (_lock)
        {
            if (_runs.Remove(runId, out var node)) _recent.Remove(node);
        }
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var (reply, call) = await NextAsync(list, options, cancellationToken).ConfigureAwait(false);
        var message = reply.IsToolCall
            ? new ChatMessage(ChatRole.Assistant, [ToolCall(reply, call)])
            : new ChatMessage(ChatRole.Assistant, reply.Text);
        var response = new ChatResponse(message)
        {
            ModelId = _options.ModelId,
            ResponseId = $"scripted-{call}",
            FinishReason = reply.IsToolCall ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
            Usage = UsageOf(list, reply),
        };
        if (reply.Confidence is { } confidence) (response.AdditionalProperties ??= [])[ConfidenceProperty] = confidence;
        return response;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var (reply, call) = await NextAsync(list, options, cancellationToken).ConfigureAwait(false);
        var id = $"scripted-{call}";
        if (reply.IsToolCall)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, [ToolCall(reply, call)]) { ResponseId = id, ModelId = _options.ModelId };
        }
        else
        {
            // Word by word, as a provider streams tokens.
            foreach (var chunk in Chunks(reply.Text ?? ""))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return new ChatResponseUpdate(ChatRole.Assistant, chunk) { ResponseId = id, ModelId = _options.ModelId };
            }
        }

        var last = new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(UsageOf(list, reply))])
        {
            ResponseId = id,
            ModelId = _options.ModelId,
            FinishReason = reply.IsToolCall ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
        };
        if (reply.Confidence is { } confidence) (last.AdditionalProperties ??= [])[ConfidenceProperty] = confidence;
        yield return last;
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted", null, _options.ModelId)
        : null;

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private async ValueTask<(ScriptedReply Reply, int Call)> NextAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var runId = options?.AdditionalProperties?.TryGetValue(RunIdProperty, out var id) == true ? id?.ToString() ?? NoRun : NoRun;
        int call;
        lock (_lock)
        {
            var node = Touch(runId);
            call = node.Value.Calls + 1;
            node.Value = (runId, call);
        }

        if (_options.Delay > TimeSpan.Zero) await Task.Delay(_options.Delay, _time, cancellationToken).ConfigureAwait(false);
        if (_options.Faults.FirstOrDefault(f => f.Call == call) is { } fault) throw Fault(fault, call);
        return (Choose(messages, call), call);
    }

    private ScriptedReply Choose(IReadOnlyList<ChatMessage> messages, int call)
    {
        if (_options.Rules.Count > 0)
        {
            var instructions = string.Join("\n", messages.Where(m => m.Role == ChatRole.System).Select(m => m.Text));
            var input = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
            var subject = instructions + "\n" + input;
            foreach (var rule in _options.Rules)
            {
                if (rule.Regex.IsMatch(subject)) return rule.Reply;
            }

            if (_options.Replies.Count == 0)
            {
                throw new AgentException(ErrorKind.Fatal, $"no rule of the scripted model '{_options.ModelId}' matches: {Shorten(subject)}") { Code = "no_rule" };
            }
        }

        // A faulted call uses up no reply: the reply index counts only the calls that answered.
        var answered = call - _options.Faults.Count(f => f.Call < call);
        return _options.Replies[Math.Min(answered, _options.Replies.Count) - 1];
    }

    private AgentException Fault(ScriptedFault fault, int call)
    {
        if (fault.IsTimeout)
        {
            return new AgentException(ErrorKind.Transient, $"the model '{_options.ModelId}' did not answer call {call} in time") { Code = "timeout" };
        }

        var status = fault.Status!.Value;
        var (kind, code) = status switch
        {
            429 => (ErrorKind.Transient, "rate_limited"),
            >= 500 => (ErrorKind.Transient, "provider_error"),
            401 or 403 => (ErrorKind.Fatal, "unauthorized"),
            _ => (ErrorKind.Fatal, "bad_request"),
        };
        return new AgentException(kind, $"the model '{_options.ModelId}' answered call {call} with HTTP {status.ToString(CultureInfo.InvariantCulture)}") { Code = code, RetryAfter = fault.RetryAfter };
    }

    private LinkedListNode<(string RunId, int Calls)> Touch(string runId)
    {
        if (_runs.TryGetValue(runId, out var node))
        {
            _recent.Remove(node);
            _recent.AddFirst(node);
            return node;
        }

        node = _recent.AddFirst((runId, 0));
        _runs[runId] = node;
        while (_runs.Count > _options.MaxTrackedRuns && _recent.Last is { } oldest)
        {
            _recent.RemoveLast();
            _runs.Remove(oldest.Value.RunId);
        }

        return node;
    }

    private static FunctionCallContent ToolCall(ScriptedReply reply, int call) =>
        new($"call-{call}-{reply.Tool}", reply.Tool!, reply.Arguments?.ToDictionary(p => p.Key, p => (object?)p.Value?.DeepClone()) ?? []);

    private static UsageDetails UsageOf(IReadOnlyList<ChatMessage> messages, ScriptedReply reply)
    {
        // Deterministic token counts (about four characters a token), so budgets and costs can be tested.
        var input = Math.Max(1, messages.Sum(m => (long)(m.Text?.Length ?? 0)) / 4);
        var output = Math.Max(1, (long)(reply.IsToolCall ? reply.ToString().Length : reply.Text!.Length) / 4);
        return new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
    }

    private static IEnumerable<string> Chunks(string text)
    {
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i == text.Length || (text[i] == ' ' && i > start))
            {
                yield return text[start..i];
                start = i;
            }
        }
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");
}
