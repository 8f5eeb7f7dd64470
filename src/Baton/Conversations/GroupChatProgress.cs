namespace Baton;

/// <summary>Where a group chat stands after a turn, for its <see cref="GroupChatStep.Until"/> condition.</summary>
/// <param name="Output">The last message's output (the member's result).</param>
/// <param name="Turn">The number of the turn that just ended, from 1.</param>
/// <param name="Transcript">The conversation so far.</param>
/// <param name="State">The run state the step sees.</param>
public sealed record GroupChatProgress(Payload Output, int Turn, Transcript Transcript, IRunStateView State);
