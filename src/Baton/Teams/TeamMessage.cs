namespace Baton;

/// <summary>One message of a team's conversation: who said it and what.</summary>
/// <param name="From">The speaker: the manager's or a member's name, or <see cref="TeamStep.TeamSpeaker"/> for the team's own notes to the manager.</param>
/// <param name="Text">What was said.</param>
internal sealed record TeamMessage(string From, string Text);
