namespace Baton;

/// <summary>Thrown by an agent or tool to fail with a chosen <see cref="ErrorKind"/>.</summary>
public class AgentException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AgentException(ErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>How the failure should be treated.</summary>
    public ErrorKind Kind { get; }

    /// <summary>How long the failing service asked callers to wait, when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>A short machine-readable code for the error, e.g. <c>reply_timeout</c>.</summary>
    public string? Code { get; init; }

    /// <summary>Results computed before the failure.</summary>
    public Payload? Partial { get; init; }
}
