namespace Baton.Yaml.Model.Steps;

/// <summary><c>handoff</c>: the agent in charge answers or transfers the conversation.</summary>
/// <param name="Start">The name of the agent in charge first.</param>
/// <param name="Agents">The handoff's agents, in the order written.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record HandoffDefinition(string Start, IReadOnlyList<HandoffAgentDefinition> Agents, int Line, int Column) : StepDefinition(Line, Column)
{
    /// <summary>The most transfers.</summary>
    public int MaxHandoffs { get; init; } = 10;
}
