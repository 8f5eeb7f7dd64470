using System.Globalization;
using CsCheck;

namespace Baton.Tests.Properties;

/// <summary>
/// Confidence-weighted voting does not depend on the order of the voters: any permutation of the
/// same answers and confidences elects the same answer with the same confidence, when ties are
/// broken by an order-free rule (the lexicographic order of the normalised answer).
/// </summary>
public sealed class VotingProperties
{
    private static readonly string[] Answers = ["alpha", "beta", "gamma", "delta"];

    // Spellings the default equality treats as one answer.
    private static readonly Func<string, string>[] Spellings =
    [
        static a => a,
        static a => a.ToUpperInvariant(),
        static a => $"  {a}\t",
        static a => string.Concat(a[..1].ToUpperInvariant(), a[1..]),
    ];

    private static readonly Gen<double?> Confidence = Gen.OneOf(
        Gen.Const((double?)null),
        Gen.Int[0, 4].Select(i => (double?)(i / 4.0)),
        Gen.Double[0, 1].Select(d => (double?)d),
        Gen.Const<double?>(0.1),
        Gen.Const<double?>(0.2),
        Gen.Const<double?>(0.3));

    private static readonly Gen<(int Answer, int Spelling, double? Confidence)[]> Ballots =
        Gen.Select(Gen.Int[0, Answers.Length - 1], Gen.Int[0, Spellings.Length - 1], Confidence).Array[1, 9];

    [Fact]
    public Task Weighted_voting_elects_the_same_answer_whatever_the_voter_order() =>
        Gen.Select(Ballots, Gen.Int, Gen.Bool).SampleAsync(async (ballots, seed, unstatedCountsZero) =>
        {
            var strategy = unstatedCountsZero ? VoteStrategy.WeightedWith(0) : VoteStrategy.Weighted;
            var voters = ballots.Select((b, i) => (Name: "v" + i.ToString(CultureInfo.InvariantCulture), Answer: Spellings[b.Spelling](Answers[b.Answer]), b.Confidence)).ToArray();
            var shuffled = voters.ToArray();
            new Random(seed).Shuffle(shuffled);
            var reversed = voters.Reverse().ToArray();

            var original = await VoteAsync(voters, strategy);
            var permuted = await VoteAsync(shuffled, strategy);
            var backwards = await VoteAsync(reversed, strategy);

            var expected = Expected(voters, unstatedCountsZero ? 0 : 1);
            Assert.Equal(expected.Winner, Key(original.Output!));
            Assert.Equal(Key(original.Output!), Key(permuted.Output!));
            Assert.Equal(Key(original.Output!), Key(backwards.Output!));
            Assert.Equal(original.Confidence, permuted.Confidence);
            Assert.Equal(original.Confidence, backwards.Confidence);
            Assert.Equal(expected.Confidence, original.Confidence!.Value, 12);
        }, iter: 300, threads: 1, print: t => $"{string.Join(", ", t.Item1.Select(b => $"{Answers[b.Answer]}/{b.Spelling}@{b.Confidence?.ToString(CultureInfo.InvariantCulture) ?? "-"}"))}; seed {t.Item2}; unstated counts 0: {t.Item3}");

    private static async Task<(Payload? Output, double? Confidence)> VoteAsync((string Name, string Answer, double? Confidence)[] voters, VoteStrategy strategy)
    {
        var builder = new VoteBuilder("vote").Strategy(strategy).OnTie(VoteTieRule.Lexicographic);
        foreach (var (name, answer, confidence) in voters)
        {
            builder.Voter(Agent.Create(name, (_, _, _) => new ValueTask<AgentResult>(AgentResult.Success(answer, confidence))));
        }

        await using var runtime = new BatonRuntime();
        var result = await runtime.RunAsync(builder.Build(), "which?");
        Assert.Equal(RunStatus.Succeeded, result.Status);
        var journal = await runtime.Store.ReadJournalAsync(result.RunId);
        var vote = journal.Single(e => e.StepId == "vote");
        return (result.Output, vote.Confidence);
    }

    private static string Key(Payload answer) => AnswerEquality.IgnoreCaseAndWhitespace.KeyOf(answer);

    // The rule written out plainly: weights summed per answer (exactly, in sorted order), the
    // heaviest wins, near-equal weights tie and the tie goes to the smallest normalised answer.
    private static (string Winner, double Confidence) Expected((string Name, string Answer, double? Confidence)[] voters, double unstated)
    {
        var weights = voters.GroupBy(v => Key(v.Answer), StringComparer.Ordinal)
            .Select(g => (Key: g.Key, Weight: g.Select(v => v.Confidence ?? unstated).Order().Sum()))
            .ToArray();
        var top = weights.Max(w => w.Weight);
        var winner = weights.Where(w => top - w.Weight <= 1e-9).MinBy(w => w.Key, StringComparer.Ordinal);
        var total = weights.Select(w => w.Weight).Order().Sum();
        return (winner.Key, total > 0 ? winner.Weight / total : 0);
    }
}
