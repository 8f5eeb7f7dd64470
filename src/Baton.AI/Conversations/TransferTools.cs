using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Baton.AI;

/// <summary>
/// The <c>transfer_to_NAME</c> tools a model agent is offered in a handoff: declarations only (the agent never invokes
/// them); a call to one ends the agent's turn with a transfer. A call to a <c>transfer_to_</c> tool it was not offered is
/// refused, and the model is told whom it may transfer to.
/// </summary>
internal sealed class TransferTools
{
    private static readonly JsonElement Schema = JsonDocument.Parse(
        """{"type":"object","properties":{"reason":{"type":"string","description":"Why the conversation is handed over, for the agent taking it."}},"required":["reason"]}""").RootElement;

    private readonly Dictionary<string, HandoffTarget> _targets;

    public TransferTools(IReadOnlyList<HandoffTarget> targets)
    {
        _targets = targets.ToDictionary(t => t.ToolName, StringComparer.Ordinal);
        Tools = [.. targets.Select(t => AIFunctionFactory.CreateDeclaration(t.ToolName,
            t.Description is { Length: > 0 } d ? $"Hand the conversation to {t.Name}: {d}" : $"Hand the conversation to {t.Name}.", Schema))];
    }

    /// <summary>The declarations to offer beside the agent's own tools.</summary>
    public IReadOnlyList<AITool> Tools { get; }

    /// <summary>The first call to an offered transfer tool, as a transfer; null when the reply transfers to nobody.</summary>
    public ConversationTransfer? Chosen(IEnumerable<FunctionCallContent> calls)
    {
        foreach (var call in calls)
        {
            if (!_targets.TryGetValue(call.Name, out var target)) continue;
            var reason = call.Arguments?.TryGetValue("reason", out var r) == true ? r switch
            {
                null => "",
                string s => s,
                JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
                _ => r.ToString() ?? "",
            } : "";
            return new ConversationTransfer(target.Name, reason);
        }

        return null;
    }

    /// <summary>True for a call to a transfer tool that was not offered (a target outside the agent's <c>to</c>).</summary>
    public bool IsRefused(FunctionCallContent call) =>
        call.Name.StartsWith(HandoffTarget.ToolPrefix, StringComparison.Ordinal) && !_targets.ContainsKey(call.Name);

    /// <summary>What the model is told about a refused transfer.</summary>
    public FunctionResultContent Refuse(FunctionCallContent call) =>
        new(call.CallId, $"Error: you cannot transfer to '{call.Name[HandoffTarget.ToolPrefix.Length..]}'; you may transfer to: {(_targets.Count == 0 ? "nobody" : string.Join(", ", _targets.Values.Select(t => t.Name)))}");
}
