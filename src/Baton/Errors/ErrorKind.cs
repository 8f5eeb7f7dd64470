namespace Baton;

/// <summary>How a failure should be treated.</summary>
public enum ErrorKind
{
    /// <summary>Likely to pass if tried again (rate limits, timeouts, 5xx): retried by default.</summary>
    Transient,

    /// <summary>Will not pass by retrying the same call, but the run can recover through an error route.</summary>
    Recoverable,

    /// <summary>Nothing in this step can fix it (bad credentials, invalid request, limits): never retried.</summary>
    Fatal,
}
