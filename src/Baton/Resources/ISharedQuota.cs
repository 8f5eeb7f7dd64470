namespace Baton;

/// <summary>
/// A resource's quota shared with other processes (the workers of a cluster): before a call takes its permits in this
/// process, it takes one from the shared quota, so the resource's concurrency and requests and tokens per window hold
/// for all the processes together. Set on <see cref="ResourceRegistry.SharedQuota"/>.
/// </summary>
public interface ISharedQuota
{
    /// <summary>
    /// Waits for a permit of <paramref name="resource"/>'s shared quota for one call reserving <paramref name="tokens"/>
    /// tokens; disposing the returned permit gives it back when the call ends. Throws
    /// <see cref="ResourceUnavailableException"/> after <see cref="ResourceOptions.MaxWait"/>.
    /// </summary>
    ValueTask<IAsyncDisposable> AcquireAsync(Resource resource, int tokens, CancellationToken cancellationToken);
}
