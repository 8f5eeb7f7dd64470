using System.Collections.Concurrent;
using Baton.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Baton;

/// <summary>
/// Hosts runs in this process: owns the store, the clock, the event bus and default limits.
/// One runtime serves many concurrent runs.
/// </summary>
public sealed class BatonRuntime : IRunHost, IRunLauncher, IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<string, RunHandle> _active = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Workflow> _workflows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _resuming = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Microsoft.Extensions.Compliance.Redaction.Redactor _contentRedactor;
    private readonly LeaseKeeper _leases;

    /// <summary>Creates a runtime; with no options it keeps runs in memory and uses the system clock.</summary>
    public BatonRuntime(BatonOptions? options = null)
    {
        options ??= new BatonOptions();
        options.Limits.Validate();
        TimeProvider = options.TimeProvider ?? TimeProvider.System;
        Store = options.Store ?? new InMemoryRunStore(TimeProvider);
        Limits = options.Limits;
        Services = options.Services;
        Logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Baton");
        _contentRedactor = options.ContentRedactor ?? Compliance.PlaceholderRedactor.Instance;
        ErrorClassifier = options.ErrorClassifier ?? Baton.ErrorClassifier.Default;
        Events = new EventBus(this, options.EventBus);
        Humans = new HumanRequests(this, options.AnswerValidator);
        Resources = new ResourceRegistry(TimeProvider);
        foreach (var (name, resource) in options.Resources ?? new Dictionary<string, ResourceOptions>()) Resources.Add(name, resource);
        Owner = options.Owner ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
        ArgumentOutOfRangeException.ThrowIfLessThan(options.LeaseDuration, TimeSpan.FromMilliseconds(200), nameof(options.LeaseDuration));
        LeaseDuration = options.LeaseDuration;
        HumanWaitInMemory = options.HumanWaitInMemory ?? (Store.IsDurable ? TimeSpan.Zero : Timeout.InfiniteTimeSpan);
        _workflowResolver = options.WorkflowResolver;
        ArgumentOutOfRangeException.ThrowIfNegative(options.SnapshotEvery, nameof(options.SnapshotEvery));
        SnapshotEvery = options.SnapshotEvery;
        ShutdownTimeout = RunLimits.CheckDuration(options.ShutdownTimeout, nameof(options.ShutdownTimeout));
        CancellationGrace = RunLimits.CheckDuration(options.CancellationGrace, nameof(options.CancellationGrace));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.EventWindow, 1, nameof(options.EventWindow));
        EventWindow = options.EventWindow;
        _leases = new LeaseKeeper(Store, LeaseDuration, () => _active.Values, Logger);
    }

    private readonly Func<RunRecord, Workflow?>? _workflowResolver;

    /// <summary>State-changing steps between two state snapshots in a run's journal (0: never).</summary>
    public int SnapshotEvery { get; }

    /// <summary>How long disposing the runtime waits for its runs to end before abandoning them.</summary>
    public TimeSpan ShutdownTimeout { get; }

    /// <summary>How long a step's agent may go on after its cancellation before it is abandoned (<see cref="BatonOptions.CancellationGrace"/>).</summary>
    public TimeSpan CancellationGrace { get; }
    /// <summary>Events a run keeps for late watchers, and unread events one watcher may buffer (<see cref="BatonOptions.EventWindow"/>).</summary>
    public int EventWindow { get; }

    /// <summary>Who this runtime is when it holds runs' leases.</summary>
    public string Owner { get; }

    /// <summary>How long a run's lease lasts without renewal.</summary>
    public TimeSpan LeaseDuration { get; }

    /// <summary>How long an asking step waits in memory before its run suspends (infinite: never suspends).</summary>
    public TimeSpan HumanWaitInMemory { get; }

    /// <summary>Where journals live.</summary>
    public IRunStore Store { get; }

    /// <summary>The clock runs use.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Limits for runs whose workflow and options give none.</summary>
    public RunLimits Limits { get; }

    /// <summary>Topics, subscriptions and dead letters shared by the runs of this runtime.</summary>
    public EventBus Events { get; }

    /// <summary>Questions runs are waiting for people to answer, and the way to answer them.</summary>
    public HumanRequests Humans { get; }

    /// <summary>Named resources with quotas and circuit breakers that steps draw on (<see cref="Step.Resource"/>).</summary>
    public ResourceRegistry Resources { get; }

    /// <summary>Host services, when set.</summary>
    public IServiceProvider? Services { get; }

    internal ILogger Logger { get; }

    /// <summary>Turns exceptions thrown by agents into errors; <see cref="ErrorClassifier.Default"/> unless set in the options.</summary>
    public IErrorClassifier ErrorClassifier { get; }

    ILogger IRunHost.Logger => Logger;

    Microsoft.Extensions.Compliance.Redaction.Redactor IRunHost.ContentRedactor => _contentRedactor;

    ILogger IRunLauncher.Logger => Logger;

    string IRunLauncher.HostTypeName => typeof(BatonRuntime).FullName!;

    ValueTask IRunHost.PublishAsync(Message message, CancellationToken cancellationToken) => Events.PublishAsync(message, cancellationToken);

    /// <summary>Makes a workflow known by name, so its runs can be resumed by id alone.</summary>
    public void Register(Workflow workflow)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        _workflows[workflow.Name] = workflow;
    }

    /// <summary>Starts a run in the background and returns at once.</summary>
    public RunHandle Start(Workflow workflow, Payload? input = null, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (execution, handle, cts) = Prepare(workflow, options, journal: null, runId: null, cancellationToken);
        handle.Completion = Task.Run(() => RunNewAsync(execution, input ?? Payload.Empty, options, cts), CancellationToken.None);
        return handle;
    }

    /// <summary>Runs a workflow to its end and returns the result (failures are in the result, not thrown).</summary>
    public Task<RunResult> RunAsync(Workflow workflow, Payload? input = null, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Nobody can watch a run started this way, so it keeps no event log.
        var (execution, handle, cts) = Prepare(workflow, options, journal: null, runId: null, cancellationToken, recordEvents: false);
        handle.Completion = RunNewAsync(execution, input ?? Payload.Empty, options, cts);
        return handle.Completion;
    }

    /// <summary>
    /// Continues a run from its journal: completed steps are not run again, steps that were in
    /// flight run again with the same idempotency key.
    /// </summary>
    /// <param name="runId">The run to continue.</param>
    /// <param name="workflow">Its workflow; when null, the one registered under the run's workflow name.</param>
    /// <param name="options">Limits for the resumed execution.</param>
    /// <param name="cancellationToken">Cancels the resumed run.</param>
    public async Task<RunHandle> ResumeAsync(string runId, Workflow? workflow = null, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        if (_active.ContainsKey(runId)) throw new InvalidOperationException($"run '{runId}' is already running in this runtime");
        // Claimed before the run is read and its lease taken: two resumes of one run here (an event's delivery and a
        // resume of the interrupted runs) would both take the lease as the same owner, and the second take fences out
        // the first; and a run read before another resume here finished it would look resumable.
        if (!_resuming.TryAdd(runId, 0)) throw new InvalidOperationException($"run '{runId}' is already being resumed in this runtime");
        try
        {
            var record = await Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"there is no run '{runId}' in the store");
            if (record.Status == RunStatus.Succeeded) throw new InvalidOperationException($"run '{runId}' already succeeded; there is nothing to resume");
            // A cancelled run stays cancelled (its questions were withdrawn); fork it to go on from where it was.
            if (record.Status == RunStatus.Cancelled) throw new InvalidOperationException($"run '{runId}' was cancelled and stays cancelled; fork it to continue from one of its steps");
            return await ResumeClaimedAsync(record, runId, workflow, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _resuming.TryRemove(runId, out _);
        }
    }

    private async Task<RunHandle> ResumeClaimedAsync(RunRecord record, string runId, Workflow? workflow, RunOptions? options, CancellationToken cancellationToken)
    {
        if (_active.ContainsKey(runId)) throw new InvalidOperationException($"run '{runId}' is already running in this runtime");
        workflow ??= ResolveWorkflow(record)
            ?? throw new InvalidOperationException($"run '{runId}' is of workflow '{record.Workflow}', which this runtime does not know: pass it or Register it");
        if (workflow.Name != record.Workflow) throw new InvalidOperationException($"run '{runId}' is of workflow '{record.Workflow}', not '{workflow.Name}'");
        var lease = await Store.TryAcquireLeaseAsync(runId, Owner, LeaseDuration, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"run '{runId}' is held by '{record.LeaseOwner}' until {record.LeaseExpiresAt:O}: another process is running it");
        RunExecution execution;
        RunHandle handle;
        CancellationTokenSource cts;
        JournalEntry started;
        try
        {
            var journal = await Store.ReadJournalAsync(runId, 0, cancellationToken).ConfigureAwait(false);
            // Whatever the store: a missing entry would resume a run that forgot a step; refuse it by name.
            JournalIntegrity.CheckNoGap(runId, 0, journal);
            // A first entry that is not the start, or a step key that is not one, would resume a wrong run: refused by name.
            JournalIntegrity.CheckResumable(runId, journal);
            started = journal[0];
            (execution, handle, cts) = Prepare(workflow, options, journal, runId, cancellationToken);
        }
        catch
        {
            await Store.ReleaseLeaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        execution.Lease = lease;
        execution.MayHaveOpenRequests = record.Status == RunStatus.Waiting;
        try
        {
            await Store.SetStatusAsync(lease, RunStatus.Running, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _active.TryRemove(runId, out _);
            cts.Dispose();
            await Store.ReleaseLeaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        handle.Completion = Task.Run(() => FinishAsync(execution, started.Payload ?? Payload.Empty, resumed: true, cts), CancellationToken.None);
        return handle;
    }

    /// <summary>
    /// Runs the store says are running that nobody is executing: not in this runtime, and with no unexpired
    /// lease held by another (the process that ran them crashed or stopped). Whether a lease has expired is the
    /// store's call, by its clock: each candidate's lease is taken and given straight back, which also fences out
    /// a holder that was merely too slow to renew.
    /// </summary>
    public async Task<IReadOnlyList<RunRecord>> FindInterruptedRunsAsync(CancellationToken cancellationToken = default)
    {
        var running = await Store.ListRunsAsync(new RunQuery { Status = RunStatus.Running }, cancellationToken).ConfigureAwait(false);
        var interrupted = new List<RunRecord>();
        foreach (var record in running)
        {
            if (_active.ContainsKey(record.RunId)) continue;
            // Claimed like a resume: a resume of this run here (an event's delivery) holds the lease as the same owner,
            // and this take would fence it out and this release free it while it runs.
            if (!_resuming.TryAdd(record.RunId, 0)) continue;
            try
            {
                if (_active.ContainsKey(record.RunId)) continue;
                if (await Store.TryAcquireLeaseAsync(record.RunId, Owner, LeaseDuration, cancellationToken).ConfigureAwait(false) is not { } lease) continue;
                await Store.ReleaseLeaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
                interrupted.Add(record);
            }
            finally
            {
                _resuming.TryRemove(record.RunId, out _);
            }
        }

        return interrupted;
    }

    /// <summary>
    /// Resumes every interrupted run (<see cref="FindInterruptedRunsAsync"/>) whose workflow this runtime knows;
    /// returns their handles. Runs another process takes first are skipped.
    /// </summary>
    public async Task<IReadOnlyList<RunHandle>> ResumeInterruptedRunsAsync(CancellationToken cancellationToken = default)
    {
        var handles = new List<RunHandle>();
        foreach (var record in await FindInterruptedRunsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (ResolveWorkflow(record) is not { } workflow) continue;
            try
            {
                handles.Add(await ResumeAsync(record.RunId, workflow, cancellationToken: cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is InvalidOperationException or StoreFormatException)
            {
                // A damaged journal (a gap, an unreadable row) stops that run only; the others are resumed.
                Logger.LogResumeSkipped(record.RunId, ex.Message);
            }
        }

        return handles;
    }

    /// <summary>
    /// Rebuilds a run's history from its journal: every entry with the shared state after it, applied through the
    /// workflow's reducers (the run's registered or resolved workflow, or <paramref name="workflow"/>; without one,
    /// each write replaces the value).
    /// </summary>
    public async Task<RunHistory> ReplayAsync(string runId, Workflow? workflow = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        var record = await Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"there is no run '{runId}' in the store");
        workflow ??= ResolveWorkflow(record);
        var journal = await Store.ReadJournalAsync(runId, 0, cancellationToken).ConfigureAwait(false);
        return RunHistory.FromJournal(record, journal, workflow);
    }

    /// <summary>
    /// Starts a new run from a point in an old one: the old journal up to and including entry
    /// <paramref name="afterSequence"/> is copied, <paramref name="stateEdits"/> replace those variables, and the new
    /// run resumes — only what follows that point runs. The old run is not changed.
    /// </summary>
    /// <param name="runId">The run to fork.</param>
    /// <param name="afterSequence">The last journal entry to keep (a step completion's <see cref="JournalEntry.Sequence"/>, from <see cref="ReplayAsync"/>).</param>
    /// <param name="stateEdits">Shared state values to set before the fork continues.</param>
    /// <param name="workflow">The workflow; when null, the old run's registered or resolved one.</param>
    /// <param name="options">The new run's id and limits.</param>
    /// <param name="cancellationToken">Cancels the new run.</param>
    public async Task<RunHandle> ForkAsync(string runId, long afterSequence, IReadOnlyDictionary<string, Payload>? stateEdits = null, Workflow? workflow = null, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentOutOfRangeException.ThrowIfLessThan(afterSequence, 1);
        var record = await Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"there is no run '{runId}' in the store");
        workflow ??= ResolveWorkflow(record)
            ?? throw new InvalidOperationException($"run '{runId}' is of workflow '{record.Workflow}', which this runtime does not know: pass it or Register it");
        var forkId = await CreateForkAsync(record, afterSequence, stateEdits, options?.RunId, cancellationToken).ConfigureAwait(false);
        return await ResumeAsync(forkId, workflow, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores a fork of a run as <see cref="ForkAsync"/> does, without executing it: for a host that hands runs to others
    /// (a cluster's workers continue it from its journal, as an interrupted run).
    /// </summary>
    /// <returns>The new run's id.</returns>
    /// <exception cref="KeyNotFoundException">There is no run <paramref name="runId"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="afterSequence"/> is past the end of the run's journal.</exception>
    /// <exception cref="ArgumentException">An edit names no variable, or an agent's private state.</exception>
    public async Task<string> CreateForkAsync(string runId, long afterSequence, IReadOnlyDictionary<string, Payload>? stateEdits = null, string? forkRunId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentOutOfRangeException.ThrowIfLessThan(afterSequence, 1);
        var record = await Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"there is no run '{runId}' in the store");
        return await CreateForkAsync(record, afterSequence, stateEdits, forkRunId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> CreateForkAsync(RunRecord record, long afterSequence, IReadOnlyDictionary<string, Payload>? stateEdits, string? forkRunId, CancellationToken cancellationToken)
    {
        var runId = record.RunId;
        var journal = await Store.ReadJournalAsync(runId, 0, cancellationToken).ConfigureAwait(false);
        if (afterSequence > journal.Count) throw new ArgumentOutOfRangeException(nameof(afterSequence), $"run '{runId}' has {journal.Count} journal entries");
        var now = TimeProvider.GetUtcNow();
        var forkId = forkRunId ?? RunIds.New(now);
        var copied = RunFork.CopyJournal(journal, afterSequence, stateEdits, now);
        // Created with its whole copied journal at once: an interrupted fork leaves nothing, never a truncated journal.
        var lease = await Store.CreateRunAsync(record with
        {
            RunId = forkId,
            Status = RunStatus.Running,
            StartedAt = now,
            UpdatedAt = now,
            LeaseOwner = null,
            LeaseExpiresAt = null,
        }, Owner, LeaseDuration, copied, cancellationToken).ConfigureAwait(false);
        await Store.ReleaseLeaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
        return forkId;
    }

    /// <summary>The workflow a stored run runs: registered under its name, else rebuilt by the resolver; null when unknown.</summary>
    Workflow? IRunLauncher.ResolveWorkflow(RunRecord record) => ResolveWorkflow(record);

    internal Workflow? ResolveWorkflow(RunRecord record) =>
        _workflows.TryGetValue(record.Workflow, out var known) ? known : _workflowResolver?.Invoke(record);

    /// <summary>The handle of a run executing in this runtime, or null.</summary>
    public RunHandle? GetActiveRun(string runId) => _active.TryGetValue(runId, out var handle) ? handle : null;

    private (RunExecution, RunHandle, CancellationTokenSource) Prepare(Workflow workflow, RunOptions? options, IReadOnlyList<JournalEntry>? journal, string? runId, CancellationToken cancellationToken, bool recordEvents = true)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ObjectDisposedException.ThrowIf(_shutdown.IsCancellationRequested, this);
        runId ??= options?.RunId ?? RunIds.New(TimeProvider.GetUtcNow());
        var limits = options?.Limits ?? workflow.Limits ?? Limits;
        limits.Validate();
        Resources.Validate(workflow);
        var execution = new RunExecution(this, workflow, runId, limits, journal, recordEvents);
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        var handle = new RunHandle(runId, execution.Events, cts, execution);
        if (!_active.TryAdd(runId, handle)) throw new InvalidOperationException($"run '{runId}' is already running in this runtime");
        return (execution, handle, cts);
    }

    private async Task<RunResult> RunNewAsync(RunExecution execution, Payload input, RunOptions? options, CancellationTokenSource cts)
    {
        try
        {
            var now = TimeProvider.GetUtcNow();
            execution.Lease = await Store.CreateRunAsync(new RunRecord
            {
                RunId = execution.RunId,
                Workflow = execution.Workflow.Name,
                Status = RunStatus.Running,
                StartedAt = now,
                UpdatedAt = now,
                ParentRunId = options?.ParentRunId,
                Source = options?.Source,
                Definition = options?.Definition,
            }, Owner, LeaseDuration, [new JournalEntry { Kind = JournalEntryKind.RunStarted, Payload = input, Timestamp = now }], cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _active.TryRemove(execution.RunId, out _);
            cts.Dispose();
            var error = new StepError(ErrorKind.Fatal, $"the run could not start: {ex.Message}") { Code = "start", ExceptionType = ex.GetType().FullName, Exception = ex };
            execution.Events.Add(new RunEndedEvent(execution.RunId, TimeProvider.GetUtcNow(), RunStatus.Failed, null, error));
            execution.Events.Complete();
            return new RunResult(execution.RunId, RunStatus.Failed, null, error, Usage.None, 0);
        }

        return await FinishAsync(execution, input, resumed: false, cts).ConfigureAwait(false);
    }

    private async Task<RunResult> FinishAsync(RunExecution execution, Payload input, bool resumed, CancellationTokenSource cts)
    {
        try
        {
            var result = await execution.ExecuteAsync(input, resumed, cts.Token).ConfigureAwait(false);
            Logger.LogRunEnded(result.RunId, execution.Workflow.Name, result.Status);
            return result;
        }
        finally
        {
            _active.TryRemove(execution.RunId, out _);
            cts.Dispose();
            try
            {
                await Store.ReleaseLeaseAsync(execution.Lease, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The lease expires by itself; only another process's wait to take the run grows.
                Logger.LogStoreFailure(execution.RunId, ex);
            }
        }
    }

    /// <summary>Disposes synchronously, for containers that dispose synchronously; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Interrupts runs still executing (they stay resumable: nothing final is recorded), waits for them to stop (up to
    /// <see cref="ShutdownTimeout"/>), and stops the event bus and the resources.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_shutdown.IsCancellationRequested) return;
        // A host that stops interrupts its runs rather than cancelling them: they stay resumable, as after a crash.
        foreach (var handle in _active.Values) handle.Execution?.Interrupt();
        _shutdown.Cancel();
        _leases.Dispose();
        var running = _active.Values.Where(h => h.Completion is not null).ToArray();
        try
        {
            // Real time, not the runs' clock: a fake clock in a test must not keep the host from stopping.
            await Task.WhenAll(running.Select(h => h.Completion)).WaitAsync(ShutdownTimeout, TimeProvider.System).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            foreach (var handle in running.Where(h => !h.Completion.IsCompleted)) Logger.LogRunAbandoned(handle.RunId, ShutdownTimeout);
        }

        await Events.DisposeAsync().ConfigureAwait(false);
        Resources.Dispose();
        _shutdown.Dispose();
    }
}
