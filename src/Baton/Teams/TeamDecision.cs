using System.Text.Json;

namespace Baton;

/// <summary>
/// One manager reply, validated: <c>{ next: MEMBER, instruction }</c> hands the next step to a member,
/// <c>{ next: "done", answer }</c> ends the team; either may carry <c>plan</c> (the manager's plan, kept in the ledger).
/// </summary>
internal sealed record TeamDecision(string Next, string? Instruction, Payload? Answer, string? Plan)
{
    public bool IsDone => Answer is not null;

    /// <summary>The decision in a manager's output, or why the output is not one (to send back to the manager).</summary>
    /// <param name="output">The manager's output: a JSON object, or text holding one (code fences allowed).</param>
    /// <param name="members">The members' names; <c>next</c> must be one of them (any case) or <c>done</c>.</param>
    public static (TeamDecision? Decision, string? Problem) Read(Payload output, IReadOnlyList<string> members)
    {
        if (!TryObject(output, out var json)) return (null, "the reply is not a JSON object");
        if (!json.TryGetProperty("next", out var nextValue) || nextValue.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(nextValue.GetString()))
        {
            return (null, "the reply has no \"next\" (a member's name, or \"done\")");
        }

        var next = nextValue.GetString()!.Trim();
        var plan = json.TryGetProperty("plan", out var p) && p.ValueKind != JsonValueKind.Null ? (p.ValueKind == JsonValueKind.String ? p.GetString() : p.GetRawText()) : null;
        if (string.Equals(next, TeamStep.Done, StringComparison.OrdinalIgnoreCase))
        {
            if (!json.TryGetProperty("answer", out var answer) || answer.ValueKind == JsonValueKind.Null)
            {
                return (null, "\"next\": \"done\" needs an \"answer\"");
            }

            return (new TeamDecision(TeamStep.Done, null, answer.ValueKind == JsonValueKind.String ? Payload.FromText(answer.GetString()!) : Payload.FromJson(answer), plan), null);
        }

        var member = members.FirstOrDefault(m => string.Equals(m, next, StringComparison.OrdinalIgnoreCase));
        if (member is null)
        {
            return (null, $"'{next}' is not a member of the team (members: {string.Join(", ", members)}){WorkflowBuilder.Suggest(next, members)}");
        }

        if (!json.TryGetProperty("instruction", out var instruction) || instruction.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(instruction.GetString()))
        {
            return (null, $"the reply names '{member}' but gives no \"instruction\" (text)");
        }

        return (new TeamDecision(member, instruction.GetString()!.Trim(), null, plan), null);
    }

    private static bool TryObject(Payload output, out JsonElement json)
    {
        json = default;
        if (output.Kind == PayloadKind.Json)
        {
            json = output.AsJson();
            return json.ValueKind == JsonValueKind.Object;
        }

        // A model's text reply may wrap the JSON in prose or a code fence: the outermost braces hold it.
        var text = output.AsText();
        var start = text.IndexOf('{', StringComparison.Ordinal);
        var end = text.LastIndexOf('}');
        if (start < 0 || end <= start) return false;
        try
        {
            using var document = JsonDocument.Parse(text.AsMemory(start, end - start + 1));
            json = document.RootElement.Clone();
            return json.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
