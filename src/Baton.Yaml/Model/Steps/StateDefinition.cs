using Baton.Yaml.Expressions;

namespace Baton.Yaml.Model.Steps;

/// <summary>A state of a state machine: its step and where to go next.</summary>
/// <param name="Name">The state's name.</param>
/// <param name="Do">The step it runs.</param>
/// <param name="Line">1-based line of its name.</param>
/// <param name="Column">1-based column of its name.</param>
public sealed record StateDefinition(string Name, StepDefinition Do, int Line, int Column)
{
    /// <summary>The unconditional next state (or <c>end</c>), when there is one.</summary>
    public string? Next { get; init; }

    /// <summary>Conditional transitions, tried in order.</summary>
    public IReadOnlyList<(Expression When, string Goto, int Line, int Column)> Transitions { get; init; } = [];
}
