namespace Baton;

/// <summary>One write to a state variable, as journaled: the update, not the reduced value.</summary>
/// <param name="Name">The variable.</param>
/// <param name="Value">What was written.</param>
public sealed record StateChange(string Name, Payload Value)
{
    /// <summary>
    /// The agent whose private state this writes (<see cref="IStepContext.SetPrivateState"/>), or null for shared state.
    /// Private state is keyed by this identity, so no agent name can read or write another agent's.
    /// </summary>
    public string? Agent { get; init; }
}
