namespace Baton;

/// <summary>A quota of a <see cref="Resource"/>: the one that last kept a call from starting.</summary>
internal enum Quota
{
    /// <summary>None yet.</summary>
    None,

    /// <summary>Calls per window.</summary>
    Requests,

    /// <summary>Tokens per window.</summary>
    Tokens,

    /// <summary>Calls in flight.</summary>
    Concurrency,
}
