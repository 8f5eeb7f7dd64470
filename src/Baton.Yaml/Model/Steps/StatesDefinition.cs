namespace Baton.Yaml.Model.Steps;

/// <summary><c>states</c>: a state machine.</summary>
/// <param name="States">Each state's step and transitions, in file order.</param>
/// <param name="Start">The first state.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record StatesDefinition(IReadOnlyList<StateDefinition> States, string Start, int Line, int Column) : StepDefinition(Line, Column);
