namespace Baton.Orleans;

/// <summary>
/// A worker's way to a resource's cluster-wide quota (<see cref="IQuotaGrain"/>, one per resource): a call waits for a
/// permit there, in slices below Orleans' response timeout, up to the resource's <see cref="ResourceOptions.MaxWait"/>.
/// </summary>
internal sealed class ClusterQuota(IGrainFactory grains, string holder, TimeSpan waitSlice, TimeProvider? timeProvider = null) : ISharedQuota
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async ValueTask<IAsyncDisposable> AcquireAsync(Resource resource, int tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var options = resource.Options;
        var request = new QuotaRequest
        {
            Holder = holder,
            Tokens = tokens,
            MaxConcurrency = options.MaxConcurrency,
            RequestsPerWindow = options.RequestsPerMinute,
            TokensPerWindow = options.TokensPerMinute,
            Window = options.Window,
        };
        var grain = grains.GetGrain<IQuotaGrain>(resource.Name);
        var started = _time.GetTimestamp();
        while (true)
        {
            var waited = _time.GetElapsedTime(started);
            var left = options.MaxWait is { } maxWait ? maxWait - waited : waitSlice;
            if (left <= TimeSpan.Zero)
            {
                throw new ResourceUnavailableException(resource.Name, ResourceUnavailableException.QuotaWait,
                    $"a call waited {waited.TotalSeconds:0.#} s for resource '{resource.Name}' across the cluster and gave up: its cluster-wide quota stayed used up; raise the resource's MaxWait or its quota, or send fewer calls",
                    waited: waited);
            }

            var slice = left < waitSlice ? left : waitSlice;
            var grant = await GrainCallRetry.RunAsync(() => grain.AcquireAsync(request, slice), waitSlice * 3, _time, cancellationToken).ConfigureAwait(false);
            if (grant.Permit is { } permit) return new Permit(grain, permit, waitSlice * 3, _time);
        }
    }

    /// <summary>A granted permit: given back when the call ends (a permit that cannot be given back is freed when its worker is declared dead).</summary>
    private sealed class Permit(IQuotaGrain grain, Guid id, TimeSpan retryFor, TimeProvider time) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await GrainCallRetry.RunAsync(async () => { await grain.ReleaseAsync(id).ConfigureAwait(false); return true; }, retryFor, time, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (GrainCallRetry.IsTransient(ex))
            {
                // The quota's grain is unreachable for good (its worker died with it): its counts restart empty there.
            }
        }
    }
}
