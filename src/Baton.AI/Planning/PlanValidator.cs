using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Baton.AI.Planning;

/// <summary>
/// Checks a plan against a <see cref="SkillRegistry"/> and reports every reason it cannot run, so
/// a planning model can fix them all at once: too many steps, bad or duplicate ids, unknown skills,
/// arguments that fail the skill's JSON schema (NJsonSchema), unknown dependencies, references to
/// steps not in <c>dependsOn</c>, an unknown output step, and cycles (named).
/// </summary>
public sealed partial class PlanValidator
{
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);

    /// <summary>Creates a validator for plans over <paramref name="skills"/>.</summary>
    /// <param name="skills">The skills plans may use.</param>
    /// <param name="maxSteps">Steps a plan may have at most.</param>
    public PlanValidator(SkillRegistry skills, int maxSteps = 20)
    {
        ArgumentNullException.ThrowIfNull(skills);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 1);
        Skills = skills;
        MaxSteps = maxSteps;
    }

    /// <summary>The skills plans may use.</summary>
    public SkillRegistry Skills { get; }

    /// <summary>Steps a plan may have at most.</summary>
    public int MaxSteps { get; }

    /// <summary>Reads and checks a plan in its JSON form; the plan is null when its shape is wrong.</summary>
    public (Plan? Plan, IReadOnlyList<string> Problems) Validate(string planJson)
    {
        ArgumentNullException.ThrowIfNull(planJson);
        if (!Plan.TryParse(planJson, out var plan, out var shape)) return (null, shape);
        return (plan, Validate(plan!));
    }

    /// <summary>Every reason the plan cannot run, each a readable sentence; empty when it is valid.</summary>
    public IReadOnlyList<string> Validate(Plan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var problems = new List<string>();
        if (plan.Steps.Count == 0) problems.Add("the plan has no steps");
        if (plan.Steps.Count > MaxSteps) problems.Add($"the plan has {plan.Steps.Count} steps, over the limit of {MaxSteps}: combine or drop steps");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in plan.Steps)
        {
            if (!ValidId().IsMatch(step.Id)) problems.Add($"step id '{step.Id}' must be 1 to 64 letters, digits, '_' or '-'");
            if (!ids.Add(step.Id)) problems.Add($"step id '{step.Id}' is used twice");
        }

        foreach (var step in plan.Steps)
        {
            if (!Skills.TryGet(step.Skill, out var skill))
            {
                problems.Add($"step '{step.Id}' uses unknown skill '{step.Skill}' (the skills are: {string.Join(", ", Skills.Skills.Select(s => s.Name))})");
            }

            foreach (var dependency in step.DependsOn)
            {
                if (dependency == step.Id) problems.Add($"step '{step.Id}' depends on itself");
                else if (!ids.Contains(dependency)) problems.Add($"step '{step.Id}' depends on unknown step '{dependency}'");
            }

            var (references, malformed) = PlanReferences.Find(step.Args);
            problems.AddRange(malformed.Select(m => $"step '{step.Id}' has a bad reference at {m}"));
            foreach (var reference in references)
            {
                if (!ids.Contains(reference.StepId)) problems.Add($"step '{step.Id}' refers to unknown step '{reference.StepId}' at {reference.Location}");
                else if (!step.DependsOn.Contains(reference.StepId, StringComparer.Ordinal)) problems.Add($"step '{step.Id}' refers to step '{reference.StepId}' at {reference.Location}, which is not in its dependsOn");
            }

            if (skill is not null)
            {
                // A reference's value is only known when the plan runs: its schema is checked then.
                var skipped = references.Select(r => r.Location).ToArray();
                problems.AddRange(CheckArguments(skill, step.Args, skipped).Select(p => $"step '{step.Id}': the arguments do not fit skill '{skill.Name}': {p}"));
            }
        }

        if (plan.Output is { } output && !ids.Contains(output)) problems.Add($"the output step '{output}' does not exist");
        foreach (var cycle in FindCycles(plan)) problems.Add($"the steps form a cycle (each waits for the one before it): {string.Join(" -> ", cycle)}");
        return problems;
    }

    /// <summary>Why the arguments do not satisfy the skill's schema (each as <c>path: problem</c>), ignoring what lies under <paramref name="skipped"/> locations.</summary>
    internal IReadOnlyList<string> CheckArguments(Skill skill, JsonElement args, IReadOnlyList<string>? skipped = null)
    {
        JsonSchema schema;
        try
        {
            schema = _schemas.GetOrAdd(skill.Name, _ => JsonSchema.FromJsonAsync(skill.ArgumentsSchema.GetRawText(), null, LocalReferenceResolver.For, CancellationToken.None).GetAwaiter().GetResult());
        }
        catch (Exception ex) when (ex is Newtonsoft.Json.JsonException or InvalidOperationException)
        {
            return [$"the skill's arguments schema is not a valid JSON schema: {ex.Message}"];
        }

        return schema.Validate(args.GetRawText())
            .Where(e => Counts(e, skipped ?? []))
            .Select(e => $"{(string.IsNullOrEmpty(e.Path) ? "#" : e.Path)}: {Describe(e)}")
            .ToArray();
    }

    /// <summary>An error counts unless it lies at or under a skipped location (a child-schema error counts when one of its own does).</summary>
    private static bool Counts(ValidationError error, IReadOnlyList<string> skipped)
    {
        var path = error.Path ?? string.Empty;
        if (skipped.Any(s => path == s || path.StartsWith(s + ".", StringComparison.Ordinal) || path.StartsWith(s + "[", StringComparison.Ordinal))) return false;
        return error is not ChildSchemaValidationError child || child.Errors.Values.SelectMany(e => e).Any(e => Counts(e, skipped)) || child.Errors.Count == 0;
    }

    private static string Describe(ValidationError error) => error.Kind switch
    {
        ValidationErrorKind.PropertyRequired => "a required argument is missing",
        ValidationErrorKind.NoAdditionalPropertiesAllowed => "the skill takes no such argument",
        _ => SplitWords(error.Kind.ToString()),
    };

    private static string SplitWords(string name) => CapitalLetter().Replace(name, " $1").Trim().ToLowerInvariant();

    /// <summary>Cycles along dependencies, each as a path in the order its steps would run; found in plan order, so the report is stable.</summary>
    private static List<string[]> FindCycles(Plan plan)
    {
        var byId = new Dictionary<string, PlanStep>(StringComparer.Ordinal);
        foreach (var step in plan.Steps) byId.TryAdd(step.Id, step);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1: on the current path, 2: done
        var path = new List<string>();
        var cycles = new List<string[]>();
        foreach (var step in plan.Steps) Visit(step.Id);
        return cycles;

        void Visit(string id)
        {
            if (state.GetValueOrDefault(id) != 0) return;
            state[id] = 1;
            path.Add(id);
            foreach (var dependency in byId[id].DependsOn)
            {
                if (dependency == id || !byId.ContainsKey(dependency)) continue;
                var seen = state.GetValueOrDefault(dependency);
                if (seen == 1) cycles.Add(path.Skip(path.IndexOf(dependency)).Append(dependency).Reverse().ToArray());
                else if (seen == 0) Visit(dependency);
            }

            path.RemoveAt(path.Count - 1);
            state[id] = 2;
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_\-]{1,64}$")]
    private static partial Regex ValidId();

    [GeneratedRegex("([A-Z])")]
    private static partial Regex CapitalLetter();
}
