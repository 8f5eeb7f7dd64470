namespace Baton;

/// <summary>One entry of a team's progress ledger: what the manager decided in a round and how it went.</summary>
/// <param name="Round">1 for the first round.</param>
/// <param name="Next">The member the manager named, or null when its reply was refused.</param>
/// <param name="Instruction">The instruction it gave, or null.</param>
/// <param name="Status"><c>answered</c>, <c>failed: ...</c>, <c>refused: ...</c> (the reply was not valid) or <c>stalled: ...</c> (not run: the same step again).</param>
internal sealed record TeamRound(int Round, string? Next, string? Instruction, string Status);
