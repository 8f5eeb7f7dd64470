namespace Baton;

/// <summary>
/// Decides what an exception thrown by an agent means: its <see cref="ErrorKind"/> (transient errors are retried),
/// code and Retry-After. Set one on <see cref="BatonOptions.ErrorClassifier"/> to teach the engine another
/// library's exceptions (a provider's 429 wrapped in its own type, say); fall back to
/// <see cref="ErrorClassifier.Default"/> for the rest.
/// </summary>
public interface IErrorClassifier
{
    /// <summary>Classifies an exception thrown by the agent of step <paramref name="stepId"/>.</summary>
    StepError Classify(Exception exception, string? stepId = null);
}
