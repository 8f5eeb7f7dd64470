namespace Baton;

/// <summary>What a <see cref="VoteStrategy"/> decided: a winning answer, an answer of the judge's own, or a failure.</summary>
public sealed record VoteDecision
{
    private VoteDecision()
    {
    }

    /// <summary>The answer the vote outputs; empty when it failed.</summary>
    public Payload Answer { get; init; } = Payload.Empty;

    /// <summary>The winning answer, when the decision picked one of the voters' answers.</summary>
    public VoteCandidate? Winner { get; init; }

    /// <summary>The vote's confidence; when null for a winner, the step uses the winner's share of the votes.</summary>
    public double? Confidence { get; init; }

    /// <summary>What settled it: <c>count</c>, or a tie rule (<c>first</c>, <c>lexicographic</c>), <c>judge</c>, <c>human</c>, or your own word.</summary>
    public string DecidedBy { get; init; } = string.Empty;

    /// <summary>Why the vote failed; null when it decided.</summary>
    public StepError? Error { get; init; }

    /// <summary>True when the vote produced an answer.</summary>
    public bool IsDecided => Error is null;

    /// <summary>One of the voters' answers wins.</summary>
    public static VoteDecision For(VoteCandidate winner, string decidedBy, double? confidence = null)
    {
        ArgumentNullException.ThrowIfNull(winner);
        ArgumentException.ThrowIfNullOrWhiteSpace(decidedBy);
        return new VoteDecision { Answer = winner.Answer, Winner = winner, Confidence = confidence, DecidedBy = decidedBy };
    }

    /// <summary>An answer no voter gave (a judge's own) is the outcome.</summary>
    public static VoteDecision Written(Payload answer, string decidedBy, double? confidence = null)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentException.ThrowIfNullOrWhiteSpace(decidedBy);
        return new VoteDecision { Answer = answer, Confidence = confidence, DecidedBy = decidedBy };
    }

    /// <summary>The vote fails with a recoverable error (routed like any step failure); the ballots become its partial results.</summary>
    public static VoteDecision Fail(string message, string code)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        return new VoteDecision { Error = new StepError(ErrorKind.Recoverable, message) { Code = code } };
    }

    /// <summary>The vote fails with this error; the ballots become its partial results unless it has its own.</summary>
    /// <summary>A child scope of the decision (the judge, the person) halted the run: the vote ends with it.</summary>
    internal AgentResult? Halted { get; init; }

    /// <summary>A decision ended by a halt of the run (see <see cref="Halted"/>).</summary>
    internal static VoteDecision Halt(AgentResult halted) => new() { Error = halted.Error, Halted = halted };

    /// <summary>A decision that failed on an error value.</summary>
    public static VoteDecision Fail(StepError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new VoteDecision { Error = error };
    }
}
