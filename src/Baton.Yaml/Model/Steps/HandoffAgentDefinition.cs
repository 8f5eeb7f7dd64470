namespace Baton.Yaml.Model.Steps;

/// <summary>One agent of a <c>handoff</c>.</summary>
/// <param name="Name">Its name in the handoff (<c>transfer_to_NAME</c>).</param>
/// <param name="Agent">The agent that speaks (<c>do</c>).</param>
/// <param name="To">The names it may transfer to.</param>
/// <param name="Description">What it handles, shown to the others in the transfer tool's description.</param>
public sealed record HandoffAgentDefinition(string Name, string Agent, IReadOnlyList<string> To, string? Description);
