namespace Baton;

/// <summary>One distinct answer in a <see cref="VoteTally"/>.</summary>
/// <param name="Answer">The answer as its first voter gave it.</param>
/// <param name="Votes">How many voters gave it.</param>
/// <param name="Weight">The sum of their confidences (an unstated one counting as the strategy says: 1 unless set).</param>
/// <param name="Voters">Who gave it, in voter order.</param>
public sealed record TalliedAnswer(Payload Answer, int Votes, double Weight, IReadOnlyList<string> Voters);
