namespace Baton;

/// <summary>What became of an answer given to <see cref="HumanRequests.AnswerAsync"/>.</summary>
/// <param name="Accepted">True when the answer completed the request.</param>
/// <param name="Value">The answer as accepted (a choice in its own spelling), when accepted.</param>
/// <param name="Reason">Why it was rejected, when it was; the request then stays open.</param>
/// <param name="Request">The request answered, when there is one with that id.</param>
public sealed record HumanAnswerResult(bool Accepted, string? Value, string? Reason, HumanRequest? Request)
{
    /// <summary>The run this answer resumed in this runtime (it was suspended), when it did.</summary>
    public RunHandle? Run { get; init; }
}
