namespace Baton;

/// <summary>
/// How a vote turns the voters' answers into one: a small, replaceable policy. Use a built-in
/// strategy, or derive from this class (or call <see cref="Custom"/>) and decide from the
/// <see cref="VoteContext"/>: its ballots, distinct answers, tie rule, judge and human.
/// </summary>
/// <remarks>
/// Every built-in strategy counts only the voters that answered: a voter that failed abstains.
/// A tie goes to the vote's <see cref="VoteTieRule"/>. The result's confidence is the winning
/// answer's share: of the votes cast, or of the total weight for <see cref="Weighted"/>.
/// </remarks>
public abstract class VoteStrategy
{
    /// <summary>Names the strategy.</summary>
    protected VoteStrategy(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The strategy's name, as tallies and graphs show it.</summary>
    public string Name { get; }

    /// <summary>Every answer must be the same; otherwise the vote fails (code <c>disagreement</c>) naming each voter's answer.</summary>
    public static VoteStrategy Unanimous { get; } = new UnanimousStrategy();

    /// <summary>
    /// Plurality: the answer with the most votes wins, even without half of them (2 of 5 beats 1, 1, 1);
    /// a tie between the leaders goes to the tie rule.
    /// </summary>
    public static VoteStrategy Majority { get; } = new MajorityStrategy(strict: false);

    /// <summary>An answer needs more than half of the votes cast; otherwise the vote fails (code <c>no_majority</c>). It cannot tie.</summary>
    public static VoteStrategy StrictMajority { get; } = new MajorityStrategy(strict: true);

    /// <summary>
    /// Confidence-weighted: each distinct answer scores the sum of its voters' confidences; the highest
    /// wins, and scores within 1e-9 tie. A voter that states no confidence counts 1, so with no
    /// confidences at all this is <see cref="Majority"/>; see <see cref="WeightedWith"/>.
    /// </summary>
    public static VoteStrategy Weighted { get; } = new WeightedStrategy(1);

    /// <summary>Confidence-weighted, a voter that states no confidence counting <paramref name="unstatedConfidence"/> (0 ignores it).</summary>
    public static VoteStrategy WeightedWith(double unstatedConfidence)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(unstatedConfidence, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(unstatedConfidence, 1);
        return new WeightedStrategy(unstatedConfidence);
    }

    /// <summary>
    /// The vote's judge receives every answer — a JSON array of <c>{ voter, answer, confidence }</c> —
    /// and picks one or writes its own; it is asked even when the voters agree.
    /// </summary>
    public static VoteStrategy Judge { get; } = new JudgeStrategy();

    /// <summary>
    /// Escalates to a person when the voters disagree: the run waits (status Waiting) until someone
    /// picks one of the answers through <see cref="BatonRuntime.Humans"/>; when every voter agrees, no one is asked.
    /// </summary>
    public static VoteStrategy Human { get; } = new HumanStrategy();

    /// <summary>A strategy from a function.</summary>
    public static VoteStrategy Custom(string name, Func<VoteContext, CancellationToken, ValueTask<VoteDecision>> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        return new FunctionStrategy(name, decide);
    }

    /// <summary>Decides the vote. Called once per vote, with at least one ballot (at least the quorum).</summary>
    public abstract ValueTask<VoteDecision> DecideAsync(VoteContext vote, CancellationToken cancellationToken);

    /// <summary>How much weight an unstated confidence carries in the tally this strategy reports.</summary>
    internal virtual double UnstatedConfidence => 1;

    /// <summary>Whether the strategy itself may call the judge (built-ins say; your own may).</summary>
    internal virtual bool AsksJudge => true;

    /// <summary>Whether the strategy itself may ask a person (built-ins say; your own may).</summary>
    internal virtual bool AsksHuman => true;

    /// <inheritdoc/>
    public override string ToString() => Name;

    private sealed class UnanimousStrategy() : VoteStrategy("unanimous")
    {
        internal override bool AsksJudge => false;

        internal override bool AsksHuman => false;

        public override ValueTask<VoteDecision> DecideAsync(VoteContext vote, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(vote);
            if (vote.Candidates.Count == 1) return new(VoteDecision.For(vote.Candidates[0], "count", 1));
            return new(VoteDecision.Fail(
                $"the {vote.Ballots.Count} voters do not agree ({vote.Candidates.Count} different answers): {string.Join("; ", vote.Ballots.Select(VoteText.Describe))}",
                "disagreement"));
        }
    }

    private sealed class MajorityStrategy(bool strict) : VoteStrategy(strict ? "strict-majority" : "majority")
    {
        internal override bool AsksJudge => false;

        internal override bool AsksHuman => false;

        public override async ValueTask<VoteDecision> DecideAsync(VoteContext vote, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(vote);
            var most = vote.Candidates.Max(c => c.Votes);
            var leaders = vote.Candidates.Where(c => c.Votes == most).ToArray();
            if (strict && most * 2 <= vote.Ballots.Count)
            {
                return VoteDecision.Fail(
                    $"no answer has more than half of the {vote.Ballots.Count} votes (the most is {most}): {string.Join("; ", vote.Ballots.Select(VoteText.Describe))}",
                    "no_majority");
            }

            var decision = leaders.Length == 1
                ? VoteDecision.For(leaders[0], "count")
                : await vote.BreakTieAsync(leaders, cancellationToken).ConfigureAwait(false);
            return decision;
        }
    }

    private sealed class WeightedStrategy(double unstated) : VoteStrategy("weighted")
    {
        private const double Tolerance = 1e-9;

        internal override double UnstatedConfidence => unstated;

        internal override bool AsksJudge => false;

        internal override bool AsksHuman => false;

        public override async ValueTask<VoteDecision> DecideAsync(VoteContext vote, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(vote);
            var weights = vote.Candidates.Select(c => c.Weight(unstated)).ToArray();
            var top = weights.Max();
            var leaders = vote.Candidates.Where((_, i) => top - weights[i] <= Tolerance).ToArray();
            var decision = leaders.Length == 1
                ? VoteDecision.For(leaders[0], "count")
                : await vote.BreakTieAsync(leaders, cancellationToken).ConfigureAwait(false);
            if (decision.Winner is { } winner && decision.Confidence is null)
            {
                // Added smallest first, like each answer's weight, so the share does not depend on voter order.
                var total = weights.Order().Sum();
                decision = decision with { Confidence = total > 0 ? winner.Weight(unstated) / total : 0 };
            }

            return decision;
        }
    }

    private sealed class JudgeStrategy() : VoteStrategy("judge")
    {
        internal override bool AsksHuman => false;

        public override ValueTask<VoteDecision> DecideAsync(VoteContext vote, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(vote);
            return vote.AskJudgeAsync(vote.Candidates, cancellationToken);
        }
    }

    private sealed class HumanStrategy() : VoteStrategy("human")
    {
        internal override bool AsksJudge => false;

        public override ValueTask<VoteDecision> DecideAsync(VoteContext vote, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(vote);
            return vote.Candidates.Count == 1
                ? new(VoteDecision.For(vote.Candidates[0], "count"))
                : vote.AskHumanAsync(vote.Candidates, cancellationToken: cancellationToken);
        }
    }

    private sealed class FunctionStrategy(string name, Func<VoteContext, CancellationToken, ValueTask<VoteDecision>> decide) : VoteStrategy(name)
    {
        public override ValueTask<VoteDecision> DecideAsync(VoteContext vote, CancellationToken cancellationToken) => decide(vote, cancellationToken);
    }
}
