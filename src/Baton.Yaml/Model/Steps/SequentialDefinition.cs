namespace Baton.Yaml.Model.Steps;

/// <summary><c>sequential</c>: each output is the next input.</summary>
/// <param name="Steps">The steps, in order.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record SequentialDefinition(IReadOnlyList<StepDefinition> Steps, int Line, int Column) : StepDefinition(Line, Column);
