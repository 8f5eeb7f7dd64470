namespace Baton;

/// <summary>
/// A question a run put to a person, open until answered through <see cref="HumanRequests.AnswerAsync"/>.
/// Stores keep it, so a person can answer after a restart, from another process.
/// </summary>
public sealed record HumanRequest
{
    /// <summary>The request's id, to answer it by (derived from the run and the step, so asking again after a resume finds it).</summary>
    public required string Id { get; init; }

    /// <summary>The run that waits for the answer.</summary>
    public required string RunId { get; init; }

    /// <summary>The key of the step that asked (its position in the run).</summary>
    public required string StepKey { get; init; }

    /// <summary>What the person is asked.</summary>
    public required string Prompt { get; init; }

    /// <summary>The answers allowed; empty when any non-empty answer is.</summary>
    public required IReadOnlyList<string> Choices { get; init; }

    /// <summary>A JSON schema the answer (parsed as JSON) must satisfy, when the step gave one.</summary>
    public string? AnswerSchema { get; init; }

    /// <summary>What the person needs to decide (for a vote: the question and every answer), when any.</summary>
    public Payload? Details { get; init; }

    /// <summary>When it was asked, by the runtime's clock.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the wait times out into the step's error route; null to wait for ever.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Where it stands.</summary>
    public HumanRequestStatus Status { get; init; }

    /// <summary>The accepted answer, once answered.</summary>
    public string? Answer { get; init; }

    /// <summary>When it was answered, withdrawn or expired.</summary>
    public DateTimeOffset? ClosedAt { get; init; }
}
