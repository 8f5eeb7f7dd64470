using System.Text.Json.Serialization;

namespace Baton;

/// <summary>A failure as a value: what went wrong, how to treat it, and what was already computed.</summary>
/// <param name="Kind">How to treat the failure.</param>
/// <param name="Message">A readable, single-line description.</param>
/// <param name="StepId">The step that failed, when known.</param>
/// <param name="Partial">Results computed before the failure, when any.</param>
public sealed record StepError(ErrorKind Kind, string Message, string? StepId = null, Payload? Partial = null)
{
    /// <summary>How long the failing service asked callers to wait before trying again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>A short machine-readable code, e.g. <c>step_limit</c>, <c>timeout</c>, <c>deadline</c>.</summary>
    public string? Code { get; init; }

    /// <summary>The .NET type of the exception behind the error, when there was one (never instantiated from a store).</summary>
    public string? ExceptionType { get; init; }

    /// <summary>The exception behind the error in this process; not stored.</summary>
    [JsonIgnore]
    public Exception? Exception { get; init; }

    /// <summary>The error as a JSON-friendly object: <c>{ message, kind, step }</c>.</summary>
    public Payload ToPayload() => Payload.From(new ErrorView(Message, Kind.ToString().ToLowerInvariant(), StepId, Code));

    internal sealed record ErrorView(string Message, string Kind, string? Step, string? Code);

    /// <inheritdoc/>
    public override string ToString() => StepId is null ? $"{Kind}: {Message}" : $"{Kind} in step '{StepId}': {Message}";
}
