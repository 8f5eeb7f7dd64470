using Baton.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Baton.Orleans;

/// <summary>
/// Executes one run on the worker that activated it, through that worker's <see cref="BatonRuntime"/> (the kernel's
/// host there): the runtime journals to the shared store under the run's lease and renews it. The grain stays active
/// while the run executes here, and takes over a run whose worker the cluster declared dead without waiting for its
/// lease to expire (the take fences the dead worker's writes out).
/// </summary>
[Reentrant]
[CapabilityPlacement]
internal sealed class RunGrain(BatonRuntime runtime, WorkflowCatalog catalog, IClusterMembershipService membership, ILogger<RunGrain> logger) : Grain, IRunGrain
{
    private readonly SemaphoreSlim _taking = new(1, 1);

    private string RunId => this.GetPrimaryKeyString();

    public async Task<ClusterRunState> StartAsync(ClusterRunStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        await _taking.WaitAsync().ConfigureAwait(true);
        try
        {
            if (runtime.GetActiveRun(RunId) is not null || await runtime.Store.GetRunAsync(RunId).ConfigureAwait(true) is not null)
            {
                // A start retried after its first attempt got through (the reply was lost): the run exists; continue it.
                return await TakeAsync().ConfigureAwait(true);
            }

            var workflow = catalog.Resolve(RunId, start)
                ?? throw new InvalidOperationException($"no worker workflow named '{start.Workflow}': register it on the workers or send its definition");
            // Refused before it is stored: a run no worker here can execute would otherwise wait in the store for ever.
            if (WorkflowResources.Of(workflow).FirstOrDefault(r => !runtime.Resources.TryGet(r, out _)) is { } missing)
            {
                throw new InvalidOperationException($"run '{RunId}' draws on resource '{missing}', which this worker does not define: define it on the workers that have it and advertise it as their capability");
            }

            var now = runtime.TimeProvider.GetUtcNow();
            var input = start.ToPayload();
            // Recorded with its start entry before this call returns: from then on any worker can continue it.
            await runtime.Store.CreateRunAsync(new RunRecord
            {
                RunId = RunId,
                Workflow = workflow.Name,
                Status = RunStatus.Running,
                StartedAt = now,
                UpdatedAt = now,
                ParentRunId = start.ParentRunId,
                Source = start.Source,
                Definition = start.Definition,
            }, runtime.Owner, runtime.LeaseDuration, [new JournalEntry { Kind = JournalEntryKind.RunStarted, Payload = input, Timestamp = now }]).ConfigureAwait(true);
            return await ResumeHereAsync(workflow).ConfigureAwait(true);
        }
        finally
        {
            _taking.Release();
        }
    }

    public async Task<ClusterRunState> EnsureRunningAsync()
    {
        await _taking.WaitAsync().ConfigureAwait(true);
        try
        {
            return await TakeAsync().ConfigureAwait(true);
        }
        finally
        {
            _taking.Release();
        }
    }

    public async Task<ClusterRunState> WaitAsync(TimeSpan timeout)
    {
        var state = await EnsureRunningAsync().ConfigureAwait(true);
        if (state.IsSettled || runtime.GetActiveRun(RunId) is not { } handle) return state;
        try
        {
            await handle.Completion.WaitAsync(timeout).ConfigureAwait(true);
        }
        catch (TimeoutException)
        {
            // Not settled yet: the caller asks again (a call must stay below the cluster's response timeout).
        }

        return await ReadStateAsync().ConfigureAwait(true);
    }

    public async Task<string?> AnswerAsync(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var open = await runtime.Humans.ListOpenAsync(RunId).ConfigureAwait(true);
        if (open.Count == 0)
        {
            if (!await WasLastAnsweredWithAsync(value).ConfigureAwait(true)) return $"run '{RunId}' is not waiting for an answer";
            // The same answer again: a call retried after its first try got through (its reply lost to a worker's death
            // or a timeout). It was taken; make sure the run goes on, and tell the caller so instead of refusing it.
            await _taking.WaitAsync().ConfigureAwait(true);
            try
            {
                await TakeAsync().ConfigureAwait(true);
            }
            finally
            {
                _taking.Release();
            }

            return null;
        }

        var answer = await runtime.Humans.AnswerAsync(open[0].Id, value).ConfigureAwait(true);
        if (!answer.Accepted) return answer.Reason;
        // Answered in the store: a run suspended on it continues here (the runtime resumed it when it could build its workflow).
        await _taking.WaitAsync().ConfigureAwait(true);
        try
        {
            if (answer.Run is { } resumed) KeepWhileRunning(resumed);
            else await TakeAsync().ConfigureAwait(true);
        }
        finally
        {
            _taking.Release();
        }

        return null;
    }

    /// <summary>Whether the run's latest question was answered with <paramref name="value"/>.</summary>
    private async Task<bool> WasLastAnsweredWithAsync(string value)
    {
        var asked = await runtime.Store.ListHumanRequestsAsync(RunId, openOnly: false).ConfigureAwait(true);
        return asked.Count > 0 && asked[^1] is { Status: HumanRequestStatus.Answered } last && last.Answer == value;
    }

    public async Task CancelAsync()
    {
        if (runtime.GetActiveRun(RunId) is { } handle)
        {
            handle.Cancel();
            await handle.Completion.ConfigureAwait(true);
            return;
        }

        await RunCancellation.CancelStoredAsync(runtime, RunId).ConfigureAwait(true);
    }

    /// <summary>Continues the run here when it should run and nobody alive executes it; returns where it stands. Called under <see cref="_taking"/>.</summary>
    private async Task<ClusterRunState> TakeAsync()
    {
        if (runtime.GetActiveRun(RunId) is not null) return new ClusterRunState { RunId = RunId, Status = RunStatus.Running, Worker = runtime.Owner };
        var record = await runtime.Store.GetRunAsync(RunId).ConfigureAwait(true)
            ?? throw new KeyNotFoundException($"there is no run '{RunId}' in the store");
        // A waiting run continues once its questions were all answered (through the store, by whoever answered them).
        var answered = record.Status == RunStatus.Waiting && (await runtime.Store.ListHumanRequestsAsync(RunId, openOnly: true).ConfigureAwait(true)).Count == 0;
        if (record.Status != RunStatus.Running && !answered) return State(record);
        if (record.LeaseOwner is { } holder && holder != runtime.Owner && WorkerOwner.TryParse(holder, out var silo) && IsDead(silo))
        {
            // Its worker is dead by the cluster's word: take the run now rather than when the lease would expire.
            if (await runtime.Store.StealLeaseAsync(RunId, holder, runtime.Owner, runtime.LeaseDuration).ConfigureAwait(true) is not null)
            {
                logger.LogInformation("run {RunId} taken over from dead worker {Worker}", RunId, holder);
            }
        }

        var workflow = catalog.Resolve(record);
        if (workflow is null)
        {
            logger.LogWarning("run {RunId} of workflow {Workflow} cannot be continued here: this worker cannot build its workflow", RunId, record.Workflow);
            return State(record);
        }

        try
        {
            return await ResumeHereAsync(workflow).ConfigureAwait(true);
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("is held by", StringComparison.Ordinal))
        {
            // A live holder (another worker, or a process outside the cluster) executes it: nothing to do here.
            return State(await runtime.Store.GetRunAsync(RunId).ConfigureAwait(true) ?? record);
        }
    }

    private async Task<ClusterRunState> ResumeHereAsync(Workflow workflow)
    {
        KeepWhileRunning(await runtime.ResumeAsync(RunId, workflow).ConfigureAwait(true));
        return new ClusterRunState { RunId = RunId, Status = RunStatus.Running, Worker = runtime.Owner };
    }

    /// <summary>Keeps this activation (and so the run's address) here while the run executes; lets it go when the run ends.</summary>
    private void KeepWhileRunning(RunHandle handle)
    {
        DelayDeactivation(TimeSpan.FromDays(365));
        _ = handle.Completion.ContinueWith(static (_, grain) => ((RunGrain)grain!).RunEnded(), this, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Current);
    }

    private void RunEnded()
    {
        DelayDeactivation(TimeSpan.Zero);
        DeactivateOnIdle();
    }

    private bool IsDead(SiloAddress silo) =>
        membership.CurrentSnapshot.GetSiloStatus(silo) == SiloStatus.Dead
        // A later incarnation of the same endpoint means this one is gone.
        || membership.CurrentSnapshot.Members.Keys.Any(m => m.Endpoint.Equals(silo.Endpoint) && m.Generation > silo.Generation);

    private async Task<ClusterRunState> ReadStateAsync() =>
        State(await runtime.Store.GetRunAsync(RunId).ConfigureAwait(true) ?? throw new KeyNotFoundException($"there is no run '{RunId}' in the store"));

    private ClusterRunState State(RunRecord record) => new() { RunId = RunId, Status = record.Status, Worker = record.LeaseOwner };

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A worker that stops interrupts its runs (the runtime's disposal); an activation collected while its run still
        // executes here would be a bug, so say so.
        if (runtime.GetActiveRun(RunId) is not null) logger.LogWarning("run grain {RunId} deactivated while its run executes ({Reason})", RunId, reason);
        return base.OnDeactivateAsync(reason, cancellationToken);
    }
}
