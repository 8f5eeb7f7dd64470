namespace Baton;

/// <summary>
/// How a vote went: the strategy, what settled it, every distinct answer with its votes and weight,
/// and the voters that abstained. A vote step puts it in its result's metadata (<c>vote.tally</c>,
/// as JSON), reports it as the run event <c>vote</c>, and writes it to run state when asked.
/// </summary>
public sealed record VoteTally
{
    /// <summary>The strategy's name.</summary>
    public required string Strategy { get; init; }

    /// <summary>What settled it: <c>count</c>, a tie rule, <c>judge</c> or <c>human</c>.</summary>
    public required string DecidedBy { get; init; }

    /// <summary>The first voter that gave the winning answer; null when the judge wrote its own.</summary>
    public string? Winner { get; init; }

    /// <summary>The output: the winning answer, or the judge's own.</summary>
    public required Payload Answer { get; init; }

    /// <summary>The vote's confidence.</summary>
    public double? Confidence { get; init; }

    /// <summary>How answers were compared.</summary>
    public required string Equality { get; init; }

    /// <summary>Each distinct answer, in the order first given.</summary>
    public required IReadOnlyList<TalliedAnswer> Answers { get; init; }

    /// <summary>Voters that failed, with their error messages.</summary>
    public required IReadOnlyDictionary<string, string> Abstained { get; init; }

    internal static VoteTally Create(VoteContext vote, VoteStrategy strategy, VoteDecision decision, double? confidence) => new()
    {
        Strategy = strategy.Name,
        DecidedBy = decision.DecidedBy,
        Winner = decision.Winner?.FirstVoter,
        Answer = decision.Answer,
        Confidence = confidence,
        Equality = vote.Equality.Name,
        Answers = vote.Candidates.Select(c => new TalliedAnswer(c.Answer, c.Votes, c.Weight(strategy.UnstatedConfidence), c.Ballots.Select(b => b.Voter).ToArray())).ToArray(),
        Abstained = vote.Abstentions.ToDictionary(a => a.Voter, a => a.Error.Message, StringComparer.Ordinal),
    };
}
