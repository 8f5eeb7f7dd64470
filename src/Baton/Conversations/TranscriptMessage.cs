namespace Baton;

/// <summary>One message of a conversation: who said it and what.</summary>
/// <param name="From">The speaker: a member's name in a group chat or a team, an agent's name in a handoff.</param>
/// <param name="Text">What the speaker said (a JSON output as its JSON text).</param>
public sealed record TranscriptMessage(string From, string Text);
