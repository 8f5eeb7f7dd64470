using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Baton.AI;

/// <summary>
/// An agent backed by a language model through any <see cref="IChatClient"/>: instructions rendered from a template,
/// the step's input as the user message, a bounded tool-calling loop, optional structured output checked against a
/// JSON schema (with repair), context kept within a token budget, streaming, and usage and cost accounting.
/// </summary>
/// <remarks>
/// The tool loop is Baton's own rather than Microsoft.Extensions.AI's FunctionInvokingChatClient: the agent must
/// refuse tools outside its allow-list (telling the model), turn tool failures into results the model sees, ask a person
/// before tools that need approval, report each call as a run event, and stop at its turn limit with a clear error.
/// A call that needs approval, and a call of an <see cref="AgentTool"/>, runs as a journaled child step of the agent's
/// step (see <see cref="ToolCall"/>), so after a crash or a restart nothing runs unapproved and nothing completed runs twice.
/// </remarks>
public sealed class ModelAgent : IGuardrailAwareAgent, IConversationAgent
{
    private readonly IChatClient _client;
    private readonly ModelAgentOptions _options;
    private readonly PromptTemplate? _instructions;
    private readonly Dictionary<string, AITool> _tools;
    private readonly ScriptedChatClient? _scripted;
    private readonly ChatClientMetadata? _metadata;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _suspendedAt = new(StringComparer.Ordinal);

    /// <summary>Creates a model agent.</summary>
    /// <exception cref="FormatException">The instructions are not a valid template.</exception>
    public ModelAgent(string name, IChatClient client, ModelAgentOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(client);
        Name = name;
        _client = client;
        _options = options ?? new ModelAgentOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxTurns, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxRepairs);
        _instructions = _options.Instructions is { } source ? PromptTemplate.Parse(source) : null;
        _tools = _options.Tools.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _scripted = client.GetService<ScriptedChatClient>();
        _metadata = client.GetService<ChatClientMetadata>();
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The resource each model call draws on (<see cref="ModelAgentOptions.Resource"/>); null for none.</summary>
    public string? Resource => _options.Resource;

    /// <summary>This agent, with every model call drawing on <paramref name="resource"/> (null for none) instead.</summary>
    public ModelAgent WithResource(string? resource) =>
        resource == _options.Resource ? this : new ModelAgent(Name, _client, _options with { Resource = resource });

    /// <summary>This agent, also offered <paramref name="tools"/> and the tools of <paramref name="sources"/>.</summary>
    public ModelAgent WithTools(IEnumerable<AITool> tools, IEnumerable<IToolSource>? sources = null)
    {
        ArgumentNullException.ThrowIfNull(tools);
        return new ModelAgent(Name, _client, _options with { Tools = [.. _options.Tools, .. tools], ToolSources = [.. _options.ToolSources, .. sources ?? []] });
    }

    /// <summary>This agent, also checked by <paramref name="guardrails"/>: a failing output check asks the model again with its message.</summary>
    public IAgent WithGuardrails(AgentGuardrails guardrails)
    {
        ArgumentNullException.ThrowIfNull(guardrails);
        var mine = _options.Guardrails;
        return new ModelAgent(Name, _client, _options with
        {
            Guardrails = mine is null ? guardrails : new AgentGuardrails { Input = [.. mine.Input, .. guardrails.Input], Output = [.. mine.Output, .. guardrails.Output] },
        });
    }

    /// <summary>The state variable keeping a run's call count of a scripted model, so a resumed run gets the same replies.</summary>
    public static string CallCountState(string model) => $"calls.{model}";

    /// <inheritdoc/>
    public async ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var messages = new List<ChatMessage>();
        if (_instructions?.Render(input, context.State, cancellationToken) is { Length: > 0 } system) messages.Add(new ChatMessage(ChatRole.System, system));
        messages.Add(new ChatMessage(ChatRole.User, UserMessage(input, context)));
        return (await ReplayableAsync(input, messages, messages.Count, context, null, cancellationToken).ConfigureAwait(false)).Result;
    }

    /// <summary>
    /// Takes a conversation's turn: the instructions (rendered over the conversation's task), the task as the user
    /// message, then the transcript as chat history (<see cref="ConversationHistory"/>); in a handoff it is also offered a
    /// <c>transfer_to_NAME</c> tool per target, and calling one ends the turn with that transfer.
    /// </summary>
    public async ValueTask<ConversationReply> ReplyAsync(ConversationTurn turn, IStepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        ArgumentNullException.ThrowIfNull(context);
        var task = turn.Transcript.Task;
        var messages = new List<ChatMessage>();
        if (_instructions?.Render(task, context.State, cancellationToken) is { Length: > 0 } system) messages.Add(new ChatMessage(ChatRole.System, system));
        messages.Add(new ChatMessage(ChatRole.User, UserMessage(task, context)));
        var fixedCount = messages.Count;
        messages.AddRange(ConversationHistory.Of(turn));
        return await ReplayableAsync(task, messages, fixedCount, context, new TransferTools(turn.Transfers), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The tool loop; for a scripted model, a step that suspended replays the same replies when it runs again.</summary>
    private async ValueTask<ConversationReply> ReplayableAsync(Payload input, List<ChatMessage> messages, int fixedCount, IStepContext context, TransferTools? transfers, CancellationToken cancellationToken)
    {
        if (_scripted is null) return await RunAsync(input, messages, fixedCount, context, transfers, cancellationToken).ConfigureAwait(false);
        // A step that suspended for a person (a tool's approval) runs again when the answer comes; in this process the
        // scripted model must then replay the same replies, as it does in a new process from the journal.
        if (_suspendedAt.TryRemove(context.IdempotencyKey, out var start)) _scripted.RewindCallCount(context.RunId, start);
        var before = _scripted.CallsMade(context.RunId);
        try
        {
            return await RunAsync(input, messages, fixedCount, context, transfers, cancellationToken).ConfigureAwait(false);
        }
        catch (RunSuspendedException)
        {
            _suspendedAt[context.IdempotencyKey] = context.State.TryGet(CallCountState(_scripted.Options.ModelId), out var count) ? count.AsJson().GetInt32() : before;
            throw;
        }
    }

    /// <summary>The tool loop over <paramref name="messages"/>, whose first <paramref name="fixedCount"/> are never trimmed; <paramref name="transfers"/> in a conversation.</summary>
    private async ValueTask<ConversationReply> RunAsync(Payload input, List<ChatMessage> messages, int fixedCount, IStepContext context, TransferTools? transfers, CancellationToken cancellationToken)
    {
        if (_options.Guardrails is { } guardrails && await guardrails.CheckInputAsync(Name, input, context, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return AgentResult.Failure(refused);
        }

        var tools = await ToolsAsync(context, cancellationToken).ConfigureAwait(false);
        if (tools.Error is { } toolError) return AgentResult.Failure(toolError);
        var callNames = new ToolCallNames();
        var checkedOutputs = 0;
        var options = CallOptions(context, tools.Tools);
        if (transfers?.Tools is { Count: > 0 } offered) options.Tools = [.. options.Tools ?? [], .. offered];
        var usage = new UsageDetails();
        double? confidence = null;
        var repairs = 0;
        var lastText = "";
        RestoreScriptedCount(context);
        for (var turn = 1; turn <= _options.MaxTurns; turn++)
        {
            var response = await CallAsync(Trim(messages, fixedCount), options, context, cancellationToken).ConfigureAwait(false);
            if (response.Usage is { } u) usage.Add(u);
            messages.AddRange(response.Messages);
            if (response.AdditionalProperties?.TryGetValue(ScriptedChatClient.ConfidenceProperty, out var c) == true && c is double d) confidence = d;
            var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToArray();
            if (calls.Length > 0)
            {
                if (transfers?.Chosen(calls) is { } transfer) return new(Finish(Payload.FromText(response.Text), confidence, usage, context, transferred: true), transfer);
                // A transfer the agent was not offered is refused, and the model told whom it may transfer to.
                var refusedCalls = transfers is null ? [] : calls.Where(c => !tools.Tools.ContainsKey(c.Name) && transfers.IsRefused(c)).Select(transfers.Refuse).ToArray();
                var run = refusedCalls.Length == 0 ? calls : [.. calls.Where(c => !refusedCalls.Any(r => r.CallId == c.CallId))];
                messages.Add(new ChatMessage(ChatRole.Tool, [.. refusedCalls, .. await RunToolsAsync(run, tools.Tools, callNames, context, cancellationToken).ConfigureAwait(false)]));
                continue;
            }

            lastText = response.Text;
            Payload? answer = null;
            IReadOnlyList<string> problems = [];
            if (_options.Output is not { } schema) answer = Payload.FromText(lastText);
            else
            {
                (var value, problems) = schema.Check(lastText);
                if (value is not null)
                {
                    if (value is JsonObject obj && obj.TryGetPropertyValue(_options.ConfidenceProperty, out var conf) && conf is JsonValue cv
                        && cv.TryGetValue<double>(out var fromReply) && fromReply is >= 0 and <= 1)
                    {
                        confidence = fromReply;
                    }

                    answer = Payload.ParseJson(value.ToJsonString());
                }
            }

            if (answer is not null)
            {
                if (_options.Guardrails is not { Output.Count: > 0 } outputChecks
                    || await outputChecks.CheckOutputAsync(Name, answer, context, ++checkedOutputs, cancellationToken).ConfigureAwait(false) is not { } failed)
                {
                    return Finish(answer, confidence, usage, context);
                }

                // Asked again with the guardrail's message, as for a schema problem (the same bound), then failed.
                if (repairs++ >= _options.MaxRepairs) return AgentResult.Failure(failed with { Partial = answer }) with { Usage = UsageOf(usage) };
                messages.Add(new ChatMessage(ChatRole.User, $"Your reply did not pass a check: {failed.Message}\nReply again, fixing that."));
                continue;
            }

            if (repairs++ >= _options.MaxRepairs)
            {
                return Failure(ErrorKind.Recoverable, "invalid_output",
                    $"model agent '{Name}' replied {repairs} time(s) without satisfying its output schema; last problems: {string.Join("; ", problems)}", lastText, usage);
            }

            messages.Add(new ChatMessage(ChatRole.User,
                $"Your reply did not match the required JSON schema:\n- {string.Join("\n- ", problems)}\nReply again with only JSON that satisfies the schema."));
        }

        return Failure(ErrorKind.Recoverable, "max_turns", $"model agent '{Name}' reached its limit of {_options.MaxTurns} model calls without a final answer", lastText, usage);
    }

    private string UserMessage(Payload input, IStepContext context)
    {
        var text = input.AsText();
        if (_options.InputVariables.Count == 0) return text;
        var variables = new StringBuilder(text);
        foreach (var name in _options.InputVariables)
        {
            variables.Append("\n\n").Append(name).Append(":\n").Append(context.State.TryGet(name, out var value) ? value.AsText() : "(not set)");
        }

        return variables.ToString();
    }

    /// <summary>The tools of this step: the fixed ones and those of the tool sources (an MCP server of the run); a name offered twice is an error.</summary>
    private async ValueTask<(Dictionary<string, AITool> Tools, StepError? Error)> ToolsAsync(IStepContext context, CancellationToken cancellationToken)
    {
        if (_options.ToolSources.Count == 0) return (_tools, null);
        var tools = new Dictionary<string, AITool>(_tools, StringComparer.Ordinal);
        foreach (var source in _options.ToolSources)
        {
            foreach (var tool in await source.GetToolsAsync(context, cancellationToken).ConfigureAwait(false))
            {
                if (!tools.TryAdd(tool.Name, tool))
                {
                    return (tools, new StepError(ErrorKind.Fatal, $"model agent '{Name}' is offered two tools named '{tool.Name}' (one from '{source.Name}'): rename one") { Code = "tool_conflict" });
                }
            }
        }

        return (tools, null);
    }

    /// <summary>A call's arguments, carrying the calling step's context for tools that use it (an <see cref="AgentTool"/>).</summary>
    internal static AIFunctionArguments ArgumentsFor(IDictionary<string, object?>? arguments, IStepContext context) =>
        new(arguments) { Context = new Dictionary<object, object?> { [typeof(IStepContext)] = context }, Services = context.Services };

    private ChatOptions CallOptions(IStepContext context, Dictionary<string, AITool> tools)
    {
        var options = _options.ChatOptions?.Clone() ?? new ChatOptions();
        if (tools.Count > 0) options.Tools = [.. tools.Values];
        if (_options.Output is { } schema) options.ResponseFormat = ChatResponseFormat.ForJsonSchema(schema.Json, schema.Name);
        (options.AdditionalProperties ??= [])[ScriptedChatClient.RunIdProperty] = context.RunId;
        return options;
    }

    private async Task<ChatResponse> CallAsync(List<ChatMessage> messages, ChatOptions options, IStepContext context, CancellationToken cancellationToken)
    {
        if (_options.Resource is not { } resource) return await SendAsync(messages, options, context, cancellationToken).ConfigureAwait(false);
        // Each model call, not the step, is what the service's quotas and breaker count; a provider failure propagates through the breaker.
        return await context.UseResourceAsync(resource, async (lease, token) =>
        {
            var response = await SendAsync(messages, options, context, token).ConfigureAwait(false);
            if (response.Usage is { } usage) lease.ReportUsage(usage.TotalTokenCount ?? (usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0));
            return response;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One model call, under its <c>chat</c> span and recorded in the GenAI metrics.</summary>
    private async Task<ChatResponse> SendAsync(List<ChatMessage> messages, ChatOptions options, IStepContext context, CancellationToken cancellationToken)
    {
        var model = options.ModelId ?? _metadata?.DefaultModelId;
        var provider = _metadata?.ProviderName;
        using var activity = ModelAgentTelemetry.StartChat(Name, model, provider, context, messages);
        var started = context.TimeProvider.GetTimestamp();
        try
        {
            var response = await SendCoreAsync(messages, options, context, cancellationToken).ConfigureAwait(false);
            ModelAgentTelemetry.ChatEnded(activity, model, provider, response, context.TimeProvider.GetElapsedTime(started));
            return response;
        }
        catch (Exception ex)
        {
            ModelAgentTelemetry.ChatFailed(activity, model, provider, ex, context.TimeProvider.GetElapsedTime(started));
            throw;
        }
    }

    private async Task<ChatResponse> SendCoreAsync(List<ChatMessage> messages, ChatOptions options, IStepContext context, CancellationToken cancellationToken)
    {
        if (!_options.Stream) return await _client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in _client.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
            if (!string.IsNullOrEmpty(update.Text)) context.Report("token", Payload.FromText(update.Text));
        }

        var response = updates.ToChatResponse();
        foreach (var update in updates)
        {
            if (update.AdditionalProperties is { } extra) foreach (var (key, value) in extra) (response.AdditionalProperties ??= [])[key] = value;
        }

        return response;
    }

    /// <summary>Runs the calls the model asked for, at once; every outcome (refused, failed, denied) becomes a result it reads.</summary>
    private async Task<AIContent[]> RunToolsAsync(FunctionCallContent[] calls, Dictionary<string, AITool> tools, ToolCallNames callNames, IStepContext context, CancellationToken cancellationToken)
    {
        // Named in the order the model asked, before they run at once: the same calls get the same child steps on a re-run.
        var names = calls.Select(c => callNames.Next(c.Name, c.Arguments)).ToArray();
        var results = await Task.WhenAll(calls.Select(async (call, index) =>
        {
            context.Report("tool_call", Payload.FromText($"{call.Name}({JsonSerializer.Serialize(call.Arguments)})"));
            tools.TryGetValue(call.Name, out var tool);
            using var activity = ModelAgentTelemetry.StartTool(Name, call, tool, context);
            object? result;
            string? errorType = null;
            if (tool is not AIFunction function)
            {
                result = $"Error: tool '{call.Name}' is not available; available tools: {(tools.Count == 0 ? "none" : string.Join(", ", tools.Keys))}";
                errorType = "tool_not_available";
            }
            else if (function.GetService<ApprovalRequiredAIFunction>() is not null || function.GetService<AgentTool>() is not null)
            {
                // Journaled as a child step: its approval and its result survive a crash, and are not asked for or run again.
                var outcome = await context.RunChildAsync(names[index], new ToolCall(function, call.Arguments), Payload.Empty, cancellationToken).ConfigureAwait(false);
                (result, errorType) = ToolCall.Read(call.Name, outcome);
            }
            else
            {
                try
                {
                    result = await function.InvokeAsync(ArgumentsFor(call.Arguments, context), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not RunSuspendedException && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
                {
                    // The model decides what to do about a failing tool: it sees the error, the run goes on.
                    result = $"Error: tool '{call.Name}' failed: {ex.Message}";
                    errorType = ModelAgentTelemetry.ErrorTypeOf(ex);
                }
            }

            ModelAgentTelemetry.ToolEnded(activity, result, errorType);

            context.Report("tool_result", Payload.FromText($"{call.Name}: {Shorten(result?.ToString())}"));
            return (AIContent)new FunctionResultContent(call.CallId, result);
        })).ConfigureAwait(false);
        return results;
    }

    /// <summary>Keeps the conversation within the budget: drops the oldest model/tool turns, never the instructions or the input.</summary>
    private List<ChatMessage> Trim(List<ChatMessage> messages, int fixedCount)
    {
        if (_options.ContextBudget is not { } budget) return messages;
        var estimate = _options.TokenEstimator ?? (static m => Math.Max(1, (m.Text?.Length ?? 0) + m.Contents.OfType<FunctionResultContent>().Sum(r => r.Result?.ToString()?.Length ?? 0)) / 4 + 4);
        var total = messages.Sum(estimate);
        if (total <= budget) return messages;
        var kept = messages.ToList();
        var at = fixedCount;
        // Drop whole turns (an assistant message with its tool results), oldest first, keeping the latest turn.
        while (total > budget && at < kept.Count - 1)
        {
            var end = at + 1;
            while (end < kept.Count - 1 && kept[end].Role == ChatRole.Tool) end++;
            for (var i = at; i < end; i++) total -= estimate(kept[i]);
            kept.RemoveRange(at, end - at);
        }

        return kept;
    }

    private AgentResult Finish(Payload output, double? confidence, UsageDetails usage, IStepContext context, bool transferred = false)
    {
        if (_options.OutputVariable is { } variable && !transferred) context.SetState(variable, output);
        // Written as JSON text, not Payload.From(int): serializing an int by reflection would build System.Text.Json's whole
        // reflection resolver at the quick start's first step (docs/cli.md, "Start-up time").
        if (_scripted is not null) context.SetState(CallCountState(_scripted.Options.ModelId), Payload.ParseJson(_scripted.CallsMade(context.RunId).ToString(CultureInfo.InvariantCulture)));
        return AgentResult.Success(output, confidence, UsageOf(usage));
    }

    private AgentResult Failure(ErrorKind kind, string code, string message, string partial, UsageDetails usage) =>
        AgentResult.Failure(new StepError(kind, message) { Code = code, Partial = partial.Length == 0 ? null : Payload.FromText(partial) }) with { Usage = UsageOf(usage) };

    private Usage UsageOf(UsageDetails usage)
    {
        var input = usage.InputTokenCount ?? 0;
        var output = usage.OutputTokenCount ?? 0;
        return new Usage(input, output, _options.Price?.CostOf(input, output) ?? 0m);
    }

    /// <summary>A resumed run continues the scripted model's call count where its journal left it.</summary>
    private void RestoreScriptedCount(IStepContext context)
    {
        if (_scripted is null || !context.State.TryGet(CallCountState(_scripted.Options.ModelId), out var count)) return;
        _scripted.RestoreCallCount(context.RunId, count.AsJson().GetInt32());
    }

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");
}
