namespace Baton;

/// <summary>
/// One distinct answer and the ballots that gave it (answers are the same when their
/// <see cref="AnswerEquality"/> keys are). Its <see cref="Answer"/> is the payload of the first
/// voter that gave it, so a JSON answer stays JSON.
/// </summary>
public sealed class VoteCandidate
{
    internal VoteCandidate(string key, IReadOnlyList<Ballot> ballots)
    {
        Key = key;
        Ballots = ballots;
    }

    /// <summary>The equality key the ballots share.</summary>
    public string Key { get; }

    /// <summary>The ballots for this answer, in voter order.</summary>
    public IReadOnlyList<Ballot> Ballots { get; }

    /// <summary>The answer as its first voter gave it.</summary>
    public Payload Answer => Ballots[0].Answer;

    /// <summary>The first voter that gave it.</summary>
    public string FirstVoter => Ballots[0].Voter;

    /// <summary>How many voters gave it.</summary>
    public int Votes => Ballots.Count;

    /// <summary>
    /// The sum of its voters' confidences, a voter that stated none counting <paramref name="unstatedConfidence"/>.
    /// The confidences are added smallest first, so the sum does not depend on voter order.
    /// </summary>
    public double Weight(double unstatedConfidence = 1)
    {
        var weights = new double[Ballots.Count];
        for (var i = 0; i < weights.Length; i++) weights[i] = Ballots[i].Confidence ?? unstatedConfidence;
        Array.Sort(weights);
        var sum = 0.0;
        foreach (var weight in weights) sum += weight;
        return sum;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{VoteText.Quote(Answer)} ({string.Join(", ", Ballots.Select(b => b.Voter))})";
}
