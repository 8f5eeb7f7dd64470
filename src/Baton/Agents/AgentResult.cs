namespace Baton;

/// <summary>What an agent returns: an output, or an error, with confidence, usage and metadata.</summary>
public readonly record struct AgentResult
{
    /// <summary>The output; <see cref="Payload.Empty"/> when the agent failed or produced nothing.</summary>
    public Payload Output { get; init; }

    /// <summary>How sure the agent is of its output, from 0 to 1, when it says.</summary>
    public double? Confidence { get; init; }

    /// <summary>Tokens and cost spent producing the result.</summary>
    public Usage Usage { get; init; }

    /// <summary>The failure, when the agent failed; its <see cref="StepError.Partial"/> keeps partial results.</summary>
    public StepError? Error { get; init; }

    /// <summary>Free-form facts about the result (model name, finish reason, ...).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// Set by the engine on a composite step's result when a child scope halted the run (suspended for a person,
    /// aborted by a limit, cancelled): the composite returns such a result at once, and the kernel stops with it.
    /// </summary>
    internal StepHalt? Halt { get; init; }

    /// <summary>True when the agent did not fail.</summary>
    public bool IsSuccess => Error is null;

    /// <summary>A successful result.</summary>
    public static AgentResult Success(Payload output, double? confidence = null, Usage usage = default) =>
        new() { Output = output ?? Payload.Empty, Confidence = confidence, Usage = usage };

    /// <summary>A failed result.</summary>
    public static AgentResult Failure(ErrorKind kind, string message, Payload? partial = null) =>
        new() { Output = Payload.Empty, Error = new StepError(kind, message, null, partial) };

    /// <summary>A failed result from an error value.</summary>
    public static AgentResult Failure(StepError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new() { Output = Payload.Empty, Error = error };
    }

    /// <summary>Wraps an output as a successful result.</summary>
    public static implicit operator AgentResult(Payload output) => Success(output);
}
