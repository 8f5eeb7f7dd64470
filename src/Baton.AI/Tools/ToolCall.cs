using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Baton.AI;

/// <summary>
/// One journaled tool call of a model agent, run as a child step of its step: the approval (when the tool needs one),
/// then the tool. Its output records the outcome — <c>{ "result": ... }</c> or <c>{ "refused": reason }</c> or
/// <c>{ "error": message }</c> — so a step re-run after a resume hands the model the same outcome without asking or
/// running again.
/// </summary>
internal sealed class ToolCall(AIFunction tool, IDictionary<string, object?>? arguments) : IAgent
{
    /// <summary>The answer that approves a call (compared trimmed, ignoring case); any other refuses it.</summary>
    public const string Yes = ToolApproval.Yes;

    public string Name { get; } = ToolCallNames.Clean(tool.Name);

    public async ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken)
    {
        if (ToolApproval.IsRequired(tool) && await ToolApproval.RefusalAsync(tool, arguments, context, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return AgentResult.Success(Outcome("refused", refused));
        }

        if (tool.GetService<AgentTool>() is { } agentTool)
        {
            // The agent runs inside this child step (a workflow agent nests under it), journaled with it.
            var result = await agentTool.Agent.InvokeAsync(AgentTool.InputOf(arguments), context, cancellationToken).ConfigureAwait(false);
            return result.IsSuccess ? result with { Output = Envelope("result", result.Output) } : result;
        }

        try
        {
            var value = await tool.InvokeAsync(ModelAgent.ArgumentsFor(arguments, context), cancellationToken).ConfigureAwait(false);
            return AgentResult.Success(Envelope("result", ToolResults.ToPayload(value)));
        }
        catch (Exception ex) when (ex is not RunSuspendedException && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            // The model decides what to do about a failing tool: it sees the error, and so does a resumed run.
            return AgentResult.Success(Outcome("error", ex.Message));
        }
    }

    /// <summary>The outcome a model is given, read from the child step's output (or its error).</summary>
    public static (object? Result, string? ErrorType) Read(string tool, AgentResult outcome)
    {
        if (outcome.Error is { } error) return ($"Error: tool '{tool}' failed: {error.Message}", error.Code ?? "error");
        if (outcome.Output.Kind != PayloadKind.Json || outcome.Output.AsJson() is not { ValueKind: JsonValueKind.Object } json) return (ToolResults.From(outcome.Output), null);
        if (json.TryGetProperty("refused", out var refused)) return ($"Error: the call to '{tool}' was refused: {refused.GetString()}. Do not call it again with the same arguments.", "refused");
        if (json.TryGetProperty("error", out var failed)) return ($"Error: tool '{tool}' failed: {failed.GetString()}", "tool_error");
        return json.TryGetProperty("result", out var result) ? (ToolResults.From(Payload.FromJson(result)), null) : (json, null);
    }

    /// <summary>A one-property outcome, its text kept readable in the journal and the report (no escaped quotes).</summary>
    private static Payload Outcome(string key, string text) =>
        Payload.ParseJson(new JsonObject { [key] = text }.ToJsonString(Readable));

    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static Payload Envelope(string key, Payload value) =>
        Payload.ParseJson($"{{\"{key}\":{(value.Kind == PayloadKind.Json ? value.AsJson().GetRawText() : JsonSerializer.Serialize(value.AsText()))}}}");
}
