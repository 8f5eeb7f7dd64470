namespace Baton.Yaml.Model.Steps;

/// <summary><c>team</c>: a planner-led team — a manager agent assigns each round to a member, up to a number of rounds.</summary>
/// <param name="Manager">The manager agent's name.</param>
/// <param name="Members">The members' agent names, in order.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record TeamDefinition(string Manager, IReadOnlyList<string> Members, int Line, int Column)
    : StepDefinition(Line, Column)
{
    /// <summary>Manager turns at most (10 by default); one more fails the step with code <c>round_limit</c>.</summary>
    public int MaxRounds { get; init; } = 10;
}
