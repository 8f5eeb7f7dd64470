namespace Baton.AI;

/// <summary>Makes one call of the scripted model fail as a provider would.</summary>
/// <param name="Call">The call number (1 for the run's first call to this model).</param>
/// <param name="Status">The HTTP status (429, 500, 503...) or null for a timeout.</param>
/// <param name="RetryAfter">The Retry-After the provider sends, if any.</param>
public sealed record ScriptedFault(int Call, int? Status, TimeSpan? RetryAfter = null)
{
    /// <summary>A call that times out.</summary>
    public static ScriptedFault Timeout(int call) => new(call, null);

    /// <summary>True for a timeout rather than an HTTP status.</summary>
    public bool IsTimeout => Status is null;
}
