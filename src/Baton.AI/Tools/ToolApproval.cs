using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Baton.AI;

/// <summary>
/// The question a tool that needs approval asks before it runs, wherever it is called (a model agent's tool call, a
/// plan's step): durable as an <c>ask</c> is, so a resumed run gets the recorded answer instead of asking again.
/// </summary>
internal static class ToolApproval
{
    /// <summary>The answer that approves a call (compared trimmed, ignoring case); any other refuses it.</summary>
    public const string Yes = "yes";

    /// <summary>True when <paramref name="tool"/> must be approved before each call.</summary>
    public static bool IsRequired(AIFunction tool) => tool.GetService<ApprovalRequiredAIFunction>() is not null;

    /// <summary>Asks whether the call may run: null when it is approved, else why it is refused.</summary>
    /// <exception cref="RunSuspendedException">The run suspends until the answer comes: let it through.</exception>
    public static async ValueTask<string?> RefusalAsync(AIFunction tool, IDictionary<string, object?>? arguments, IStepContext context, CancellationToken cancellationToken)
    {
        var timeout = tool.GetService<ApprovalRequiredTool>()?.Timeout;
        var shown = JsonSerializer.Serialize(arguments ?? new Dictionary<string, object?>());
        var question = new HumanQuestion(
            $"Allow the tool '{tool.Name}' to run with {shown}? Answer yes to run it; any other answer refuses it.",
            Details: Payload.From(new Dictionary<string, object?> { ["tool"] = tool.Name, ["arguments"] = arguments }))
        {
            Timeout = timeout,
        };
        string answer;
        try
        {
            answer = await context.AskAsync(question, cancellationToken).ConfigureAwait(false);
        }
        catch (AgentException ex) when (ex.Code == "human_timeout")
        {
            return string.Create(CultureInfo.InvariantCulture, $"no approval came within {timeout}");
        }

        return string.Equals(answer.Trim(), Yes, StringComparison.OrdinalIgnoreCase) ? null : $"a person answered '{answer}'";
    }
}
