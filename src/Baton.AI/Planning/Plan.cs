using System.Text.Json;

namespace Baton.AI.Planning;

/// <summary>
/// A plan: skill steps with their dependencies, and the step whose output answers the goal. Its
/// JSON form is <c>{ "steps": [ { "id", "skill", "args", "dependsOn" } ], "output": "s3" }</c>.
/// </summary>
/// <param name="Steps">The steps, in the order the planner wrote them.</param>
/// <param name="Output">The step whose output is the plan's result; null for every step's output by id.</param>
public sealed record Plan(IReadOnlyList<PlanStep> Steps, string? Output)
{
    /// <summary>The goal the plan is for, when the planner recorded it.</summary>
    public string? Goal { get; init; }

    /// <summary>0 for a first plan; 1, 2... for plans made again after an earlier one failed while running.</summary>
    public int Revision { get; init; }

    private static readonly JsonElement EmptyArgs = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>
    /// Reads a plan from its JSON form (a model's reply, possibly fenced in <c>```json</c>); on
    /// failure, <paramref name="problems"/> says every way the shape is wrong.
    /// </summary>
    public static bool TryParse(string text, out Plan? plan, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(text);
        plan = null;
        var found = new List<string>();
        problems = found;
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(StripFence(text));
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            found.Add($"the plan is not JSON: {ex.Message}");
            return false;
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("steps", out var stepsJson) || stepsJson.ValueKind != JsonValueKind.Array)
        {
            found.Add("the plan must be a JSON object with a \"steps\" array");
            return false;
        }

        var steps = new List<PlanStep>();
        var position = 0;
        foreach (var item in stepsJson.EnumerateArray())
        {
            position++;
            if (item.ValueKind != JsonValueKind.Object)
            {
                found.Add($"step {position} is not a JSON object");
                continue;
            }

            var id = ReadString(item, "id");
            var name = id is null ? $"step {position}" : $"step '{id}'";
            if (id is null) found.Add($"{name} has no \"id\" string");
            var skill = ReadString(item, "skill");
            if (skill is null) found.Add($"{name} has no \"skill\" string");
            var args = EmptyArgs;
            if (item.TryGetProperty("args", out var argsJson) && argsJson.ValueKind != JsonValueKind.Null)
            {
                if (argsJson.ValueKind == JsonValueKind.Object) args = argsJson.Clone();
                else found.Add($"{name}: \"args\" must be a JSON object");
            }

            var dependsOn = new List<string>();
            if (item.TryGetProperty("dependsOn", out var dependsJson) && dependsJson.ValueKind != JsonValueKind.Null)
            {
                if (dependsJson.ValueKind == JsonValueKind.Array && dependsJson.EnumerateArray().All(d => d.ValueKind == JsonValueKind.String))
                {
                    dependsOn.AddRange(dependsJson.EnumerateArray().Select(d => d.GetString()!));
                }
                else
                {
                    found.Add($"{name}: \"dependsOn\" must be an array of step ids");
                }
            }

            if (id is not null && skill is not null) steps.Add(new PlanStep(id, skill, args, dependsOn));
        }

        string? output = null;
        if (root.TryGetProperty("output", out var outputJson) && outputJson.ValueKind != JsonValueKind.Null)
        {
            if (outputJson.ValueKind == JsonValueKind.String) output = outputJson.GetString();
            else found.Add("\"output\" must be a step id");
        }

        if (found.Count > 0) return false;
        plan = new Plan(steps, string.IsNullOrWhiteSpace(output) ? null : output)
        {
            Goal = root.TryGetProperty("goal", out var goal) && goal.ValueKind == JsonValueKind.String ? goal.GetString() : null,
            Revision = root.TryGetProperty("revision", out var revision) && revision.ValueKind == JsonValueKind.Number && revision.TryGetInt32(out var number) && number > 0 ? number : 0,
        };
        return true;
    }

    /// <summary>Reads a plan from its JSON form.</summary>
    /// <exception cref="FormatException">The text is not a plan; the message lists why.</exception>
    public static Plan Parse(string text) =>
        TryParse(text, out var plan, out var problems) ? plan! : throw new FormatException(string.Join("; ", problems));

    /// <summary>Reads a plan from a payload holding its JSON form (a planner's output).</summary>
    /// <exception cref="FormatException">The payload is not a plan.</exception>
    public static Plan FromPayload(Payload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return Parse(payload.AsText());
    }

    /// <summary>The plan in its JSON form.</summary>
    public Payload ToPayload() => Payload.From(new PlanJson(
        Steps.Select(s => new PlanStepJson(s.Id, s.Skill, s.Args.ValueKind == JsonValueKind.Object ? s.Args : EmptyArgs, s.DependsOn)).ToArray(),
        Output,
        Goal,
        Revision), PlanJsonContext.Web.PlanJson);

    private static string? ReadString(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()) ? value.GetString() : null;

    /// <summary>Models often wrap JSON in a Markdown code fence even when asked not to.</summary>
    private static string StripFence(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal)) return trimmed;
        var firstLine = trimmed.IndexOf('\n');
        var end = trimmed.LastIndexOf("```", StringComparison.Ordinal);
        return firstLine < 0 || end <= firstLine ? trimmed : trimmed[(firstLine + 1)..end].Trim();
    }

    internal sealed record PlanJson(PlanStepJson[] Steps, string? Output, string? Goal, int Revision);

    internal sealed record PlanStepJson(string Id, string Skill, JsonElement Args, IReadOnlyList<string> DependsOn);
}
