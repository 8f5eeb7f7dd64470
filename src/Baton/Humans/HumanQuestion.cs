namespace Baton;

/// <summary>What a step asks a person.</summary>
/// <param name="Prompt">The question.</param>
/// <param name="Choices">The answers allowed; null or empty for any non-empty answer.</param>
/// <param name="Details">What the person needs to decide, if anything.</param>
public sealed record HumanQuestion(string Prompt, IReadOnlyList<string>? Choices = null, Payload? Details = null)
{
    /// <summary>A JSON schema the answer must satisfy (the answer is then JSON), checked by <see cref="BatonOptions.AnswerValidator"/>.</summary>
    public string? AnswerSchema { get; init; }

    /// <summary>How long to wait for an answer before the step fails with <c>human_timeout</c> (its error route runs); null waits for ever.</summary>
    public TimeSpan? Timeout { get; init; }
}
