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

/// <summary>One agent of a <c>handoff</c>.</summary>
/// <param name="Name">Its name in the handoff (<c>transfer_to_NAME</c>).</param>
/// <param name="Agent">The agent that speaks (<c>do</c>).</param>
/// <param name="To">The names it may transfer to.</param>
/// <param name="Description">What it handles, shown to the others in the transfer tool's description.</param>
public sealed record HandoffAgentDefinition(string Name, string Agent, IReadOnlyList<string> To, string? Description);
