using Baton.Storage;
using Microsoft.Extensions.Logging;

namespace Baton;

/// <summary>
/// Keeps the leases of the runs a host executes: renews each a third of the lease duration apart, on real time, and
/// stops a run whose lease another holder took (the run then ends as <c>lease_lost</c>).
/// </summary>
/// <remarks>
/// Leases expire by the store's clock, which is real time for a real store: renewal runs on real time, not the runs'
/// clock (a test's fake clock must not see this timer). Every store, so a long run in one host is never taken as
/// interrupted by another host sharing its store.
/// </remarks>
internal sealed class LeaseKeeper : IDisposable
{
    private readonly IRunStore _store;
    private readonly TimeSpan _duration;
    private readonly Func<IEnumerable<RunHandle>> _running;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private int _renewing;

    public LeaseKeeper(IRunStore store, TimeSpan duration, Func<IEnumerable<RunHandle>> running, ILogger logger)
    {
        (_store, _duration, _running, _logger) = (store, duration, running, logger);
        var period = duration / 3;
        _timer = TimeProvider.System.CreateTimer(static s => _ = ((LeaseKeeper)s!).RenewAsync(), this, period, period);
    }

    /// <summary>Renews the leases of the runs executing here; a run whose lease another owner took is stopped.</summary>
    private async Task RenewAsync()
    {
        if (Interlocked.Exchange(ref _renewing, 1) == 1) return;
        try
        {
            foreach (var handle in _running())
            {
                if (handle.Execution?.Lease is not { } lease) continue;
                try
                {
                    if (!await _store.RenewLeaseAsync(lease, _duration, CancellationToken.None).ConfigureAwait(false))
                    {
                        _logger.LogLeaseLost(handle.RunId);
                        handle.Execution.LeaseWasLost();
                        handle.Cancel();
                    }
                }
                catch (Exception ex)
                {
                    // A store that is briefly unreachable: the next renewal tries again before the lease runs out.
                    _logger.LogStoreFailure(handle.RunId, ex);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }

    public void Dispose() => _timer.Dispose();
}
