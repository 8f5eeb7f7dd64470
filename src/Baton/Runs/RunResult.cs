namespace Baton;

/// <summary>How a run ended.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Status">Succeeded, failed, cancelled, or waiting.</param>
/// <param name="Output">The output, when it succeeded.</param>
/// <param name="Error">Why it did not succeed; its <see cref="StepError.Partial"/> holds every output committed before.</param>
/// <param name="Usage">Tokens and cost the run spent.</param>
/// <param name="StepCount">Step activations, replayed ones included.</param>
public sealed record RunResult(string RunId, RunStatus Status, Payload? Output, StepError? Error, Usage Usage, int StepCount)
{
    /// <summary>True when the run succeeded.</summary>
    public bool IsSuccess => Status == RunStatus.Succeeded;

    /// <summary>Outputs committed before a failure or cancellation, <c>{ stepId: output }</c>.</summary>
    public Payload? Partial => Error?.Partial;
}
