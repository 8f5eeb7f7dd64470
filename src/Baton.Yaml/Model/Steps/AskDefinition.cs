namespace Baton.Yaml.Model.Steps;

/// <summary><c>ask</c>: human input.</summary>
/// <param name="Prompt">The prompt template.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record AskDefinition(string Prompt, int Line, int Column) : StepDefinition(Line, Column);
