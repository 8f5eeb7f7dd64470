namespace Baton;

/// <summary>One voter's answer.</summary>
/// <param name="Voter">The voter's name.</param>
/// <param name="Index">The voter's position in the vote (voter order).</param>
/// <param name="Answer">What the voter answered.</param>
/// <param name="Confidence">How sure the voter said it was (clamped to 0..1), or null when it did not say.</param>
public sealed record Ballot(string Voter, int Index, Payload Answer, double? Confidence);
