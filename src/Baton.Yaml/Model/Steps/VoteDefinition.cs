namespace Baton.Yaml.Model.Steps;

/// <summary><c>vote</c>: voters and a strategy.</summary>
/// <param name="Voters">The voters by name (their step ids).</param>
/// <param name="Settings">How the vote decides.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record VoteDefinition(IReadOnlyList<(string Name, StepDefinition Step)> Voters, VoteSettings Settings, int Line, int Column)
    : StepDefinition(Line, Column);
