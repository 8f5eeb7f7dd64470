namespace Baton;

/// <summary>One write to a state variable, as journaled: the update, not the reduced value.</summary>
/// <param name="Name">The variable.</param>
/// <param name="Value">What was written.</param>
public sealed record StateChange(string Name, Payload Value);
