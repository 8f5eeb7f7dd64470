using Baton.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Baton.Orleans;

/// <summary>
/// Finds runs nobody executes — their worker died, or their lease expired (a process outside the cluster stopped) — and
/// calls their grains, which continue them on a live worker. It looks at once when a worker is declared dead, and every
/// <see cref="BatonClusterOptions.SweepInterval"/>. One worker sweeps at a time: the active one with the lowest address.
/// </summary>
internal sealed partial class RunSweeper(BatonRuntime runtime, WorkflowCatalog catalog, IClusterMembershipService membership, IGrainFactory grains, ILocalSiloDetails local, BatonClusterOptions options, ILogger<RunSweeper> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private Task _loops = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RunSweeper), ServiceLifecycleStage.Active, _ => Start(), _ => StopAsync());

    private Task Start()
    {
        _loops = Task.WhenAll(Task.Run(WatchMembershipAsync), Task.Run(TickAsync), Task.Run(SweepLoopAsync));
        return Task.CompletedTask;
    }

    private async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loops.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A sweep is already due.
        }
    }

    private async Task WatchMembershipAsync()
    {
        var dead = new HashSet<SiloAddress>();
        await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(_stop.Token).ConfigureAwait(false))
        {
            var newlyDead = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead && dead.Add(m.SiloAddress)).ToArray();
            if (newlyDead.Length > 0) Wake();
        }
    }

    private async Task TickAsync()
    {
        using var timer = new PeriodicTimer(options.SweepInterval);
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false)) Wake();
    }

    private async Task SweepLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await _wake.WaitAsync(_stop.Token).ConfigureAwait(false);
            try
            {
                await SweepAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The store or the cluster is briefly unreachable: the next sweep tries again; nothing was changed.
                LogSweepFailed(logger, ex);
            }
        }
    }

    /// <summary>Continues every run whose holder is gone; only the sweeping worker does it.</summary>
    internal async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var snapshot = membership.CurrentSnapshot;
        var sweeper = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).Order().FirstOrDefault();
        if (sweeper is not null && !sweeper.Equals(local.SiloAddress)) return 0;
        var now = TimeProvider.System.GetUtcNow();
        var orphans = new List<string>();
        foreach (var run in await runtime.Store.ListRunsAsync(new RunQuery { Status = RunStatus.Running }, cancellationToken).ConfigureAwait(false))
        {
            var workerDied = WorkerOwner.TryParse(run.LeaseOwner, out var silo) && snapshot.GetSiloStatus(silo) == SiloStatus.Dead;
            // A run of a workflow no worker here can build (another application's, sharing the store) is left alone.
            if ((run.LeaseOwner is null || workerDied || run.LeaseExpiresAt < now) && catalog.Resolve(run) is not null) orphans.Add(run.RunId);
        }

        // Waiting runs whose every question was answered through the store (by a command or a server that did not continue them).
        foreach (var run in await runtime.Store.ListRunsAsync(new RunQuery { Status = RunStatus.Waiting }, cancellationToken).ConfigureAwait(false))
        {
            if (run.LeaseOwner is not null && run.LeaseExpiresAt >= now) continue;
            if ((await runtime.Store.ListHumanRequestsAsync(run.RunId, openOnly: true, cancellationToken).ConfigureAwait(false)).Count == 0 && catalog.Resolve(run) is not null) orphans.Add(run.RunId);
        }

        await Parallel.ForEachAsync(orphans, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (runId, ct) =>
        {
            try
            {
                var grain = grains.GetGrain<IRunGrain>(runId);
                await GrainCallRetry.RunAsync(grain.EnsureRunningAsync, options.LeaseDuration, TimeProvider.System, ct).ConfigureAwait(false);
                LogRunAdopted(logger, runId);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogAdoptFailed(logger, runId, ex);
            }
        }).ConfigureAwait(false);
        return orphans.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the run sweep failed; the next one tries again")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "run {RunId}, which nobody executed, was handed to a live worker")]
    private static partial void LogRunAdopted(ILogger logger, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId}, which nobody executes, could not be handed to a worker")]
    private static partial void LogAdoptFailed(ILogger logger, string runId, Exception exception);
}
