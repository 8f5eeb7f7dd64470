namespace Baton.Yaml.Model.Steps;

/// <summary>A step that calls a named agent: its name, or <c>{ agent: NAME, ...options }</c>.</summary>
/// <param name="Agent">The agent's name.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record AgentStepDefinition(string Agent, int Line, int Column) : StepDefinition(Line, Column);
