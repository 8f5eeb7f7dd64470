namespace Baton.Yaml.Model.Steps;

/// <summary><c>plan</c>: a planner model writes a plan over the named skills (agents or tools); the valid plan runs as a graph.</summary>
/// <param name="Planner">The planning model's name (a key of <c>models</c>).</param>
/// <param name="Skills">The agents (or tools) plans may use, in order.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record PlanDefinition(string Planner, IReadOnlyList<string> Skills, int Line, int Column)
    : StepDefinition(Line, Column)
{
    /// <summary>Times the planner may make a new plan after one failed while running (1 by default).</summary>
    public int MaxReplans { get; init; } = 1;
}
