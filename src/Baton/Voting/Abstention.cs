namespace Baton;

/// <summary>A voter that failed (after its retries and error routes) and so cast no vote.</summary>
/// <param name="Voter">The voter's name.</param>
/// <param name="Index">The voter's position in the vote.</param>
/// <param name="Error">Why it failed.</param>
public sealed record Abstention(string Voter, int Index, StepError Error);
