namespace Baton;

/// <summary>An agent a speaker may hand a conversation to.</summary>
/// <param name="Name">The target's name in the handoff (the tool is <c>transfer_to_</c> and this name).</param>
/// <param name="Description">What the target handles, shown to the model in the tool's description; null for a generic one.</param>
public sealed record HandoffTarget(string Name, string? Description = null)
{
    /// <summary>The prefix of every transfer tool's name.</summary>
    public const string ToolPrefix = "transfer_to_";

    /// <summary>The name of the tool that transfers to this target.</summary>
    public string ToolName => ToolPrefix + Name;
}
