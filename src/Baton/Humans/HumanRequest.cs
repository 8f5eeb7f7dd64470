namespace Baton;

/// <summary>A question a run put to a person, open until answered through <see cref="HumanRequests.AnswerAsync"/>.</summary>
public sealed record HumanRequest
{
    /// <summary>The request's id, to answer it by.</summary>
    public required string Id { get; init; }

    /// <summary>The run that waits for the answer.</summary>
    public required string RunId { get; init; }

    /// <summary>The key of the step that asked (its position in the run).</summary>
    public required string StepKey { get; init; }

    /// <summary>What the person is asked.</summary>
    public required string Prompt { get; init; }

    /// <summary>The answers allowed; empty when any non-empty answer is.</summary>
    public required IReadOnlyList<string> Choices { get; init; }

    /// <summary>What the person needs to decide (for a vote: the question and every answer), when any.</summary>
    public Payload? Details { get; init; }

    /// <summary>When it was asked, by the runtime's clock.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}
