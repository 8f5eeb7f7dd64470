using System.Diagnostics;
using System.Globalization;
using Baton.Storage;
using Baton.Telemetry;
using Microsoft.Extensions.Logging;

namespace Baton;

/// <summary>
/// The run kernel: executes one run of a workflow for a host (<see cref="IRunHost"/>). It walks each workflow
/// scope step by step along its edges, runs each step's attempts with its retry policy, commits every completion to
/// the journal, and replays what the journal already holds on resume. Concurrency comes from composite steps,
/// whose children run on the <see cref="ChildScheduler"/>. Inside, every step and scope ends as a value
/// (<see cref="ScopeOutcome"/>); exceptions are only for agent code and I/O.
/// </summary>
internal sealed class RunExecution
{
    private readonly Lock _jitterLock = new();
    private Random? _retryJitter;
    private volatile bool _deadlineHit;
    private volatile bool _leaseLost;
    private volatile bool _interrupted;


    public RunExecution(IRunHost host, Workflow workflow, string runId, RunLimits limits, IReadOnlyList<JournalEntry>? journal, bool recordEvents = true)
    {
        Host = host;
        Workflow = workflow;
        RunId = runId;
        Limits = limits;
        Time = host.TimeProvider;
        State = new RunState(workflow.AllStateReducers);
        RootScope = ScopeState.ForRun(State);
        Slots = new ConcurrencyGate(limits.MaxParallel);
        Events = new RunEventLog(recordEvents, host.EventWindow);
        Budget = new RunBudget(limits);
        Committer = new StepCommitter(this);
        if (journal is not null) Replay.Restore(journal, State, Messages, Budget);
    }

    public IRunHost Host { get; }

    public Workflow Workflow { get; }

    public string RunId { get; }

    public RunLimits Limits { get; }

    public TimeProvider Time { get; }

    public RunState State { get; }

    /// <summary>The state of the run's own workflow: its steps' writes apply to <see cref="State"/> at once.</summary>
    public ScopeState RootScope { get; }

    public RunEventLog Events { get; }

    public RunMessages Messages { get; } = new();

    /// <summary>Objects shared by the run's steps for this execution (MCP servers), disposed when it ends.</summary>
    public RunScopedObjects Scoped { get; } = new();

    public RunBudget Budget { get; }

    public JournalReplay Replay { get; } = new();

    /// <summary>Bounds how many agents of the run execute at once (<see cref="RunLimits.MaxParallel"/>).</summary>
    public ConcurrencyGate Slots { get; }

    private StepCommitter Committer { get; }

    /// <summary>The host's lease on the run: every write carries it, so a run taken by another process stops here.</summary>
    public RunLease Lease { get; set; } = null!;

    /// <summary>True once a step of this run asked a person (or the run resumed from waiting): its open requests are withdrawn when it ends.</summary>
    public bool MayHaveOpenRequests { get; set; }

    public Usage Usage => Budget.Usage;

    public int StepCount => Budget.StepCount;

    /// <summary>Tells the run its host is stopping it without ending it (the host then cancels it): it records nothing final.</summary>
    public void Interrupt() => _interrupted = true;

    /// <summary>Tells the run its lease was taken by another holder; the host then cancels it, and it ends saying so.</summary>
    public void LeaseWasLost() => _leaseLost = true;

    public async Task<RunResult> ExecuteAsync(Payload input, bool resumed, CancellationToken cancellationToken)
    {
        using var activity = BatonTelemetry.StartRun(RunId, Workflow.Name, resumed);
        await using var scoped = Scoped;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var deadline = Limits.Timeout is { } timeout
            ? Time.CreateTimer(OnDeadline, (this, cts), timeout, Timeout.InfiniteTimeSpan)
            : null;
        BatonTelemetry.RunsStarted.Add(1);
        Events.Add(new RunStartedEvent(RunId, Time.GetUtcNow(), Workflow.Name, resumed));
        if (Replay.Succeeded is { } succeeded)
        {
            // The journal already says the run succeeded; only its status did not (the last execution stopped between the
            // two writes). Record that and end as it did: walking the run again would succeed a second time.
            try
            {
                await Host.Store.SetStatusAsync(Lease, RunStatus.Succeeded, CancellationToken.None).ConfigureAwait(false);
            }
            catch (RunLeaseLostException)
            {
                return LeaseLost(activity);
            }

            return End(activity, RunStatus.Succeeded, succeeded.Payload ?? Payload.Empty, null);
        }

        ScopeOutcome outcome;
        try
        {
            outcome = await RunScopeAsync(Workflow, input, string.Empty, RootScope, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            outcome = ScopeOutcome.Cancelled;
        }
        catch (RunLeaseLostException)
        {
            _leaseLost = true;
            outcome = ScopeOutcome.Cancelled;
        }
        catch (Exception ex)
        {
            // A store failure or a bug in the engine: the journal still holds every committed step. A database or I/O
            // error is the store's (a restarted server, a full disk, a locked file): the run can be resumed.
            var store = ex is System.Data.Common.DbException or IOException;
            outcome = ScopeOutcome.Aborted(new StepError(ErrorKind.Fatal, store ? $"the run stopped: the store failed: {ex.Message}" : $"the run stopped: {ex.Message}")
            {
                Code = store ? "store" : "internal",
                ExceptionType = ex.GetType().FullName,
                Exception = ex,
            });
        }

        RunStatus status;
        Payload? output = null;
        StepError? error = null;
        switch (outcome.Kind)
        {
            case OutcomeKind.Completed:
                (status, output) = (RunStatus.Succeeded, outcome.Output);
                break;
            case OutcomeKind.Suspended:
                // Waiting for a person: everything completed is journaled; the asking step asks again on resume.
                return await SuspendAsync().ConfigureAwait(false);
            case OutcomeKind.Cancelled when _leaseLost:
                return LeaseLost(activity);
            case OutcomeKind.Cancelled when _interrupted && !_deadlineHit:
                // Everything completed is journaled; the run stays running in the store, for whoever resumes it.
                return End(activity, RunStatus.Running, null, new StepError(ErrorKind.Transient,
                    $"run '{RunId}' was interrupted in this process; it can be resumed") { Code = "interrupted" });
            case OutcomeKind.Cancelled:
                (status, error) = _deadlineHit
                    ? (RunStatus.Failed, new StepError(ErrorKind.Fatal, $"the run passed its deadline of {Limits.Timeout}") { Code = "deadline" })
                    : (RunStatus.Cancelled, new StepError(ErrorKind.Fatal, "the run was cancelled") { Code = "cancelled" });
                break;
            default:
                (status, error) = (RunStatus.Failed, outcome.Error);
                break;
        }

        if (status != RunStatus.Succeeded)
        {
            // A step failure carries its scope's outputs and its own partial results; a stop from outside
            // (cancellation, deadline, limit) takes every output the journal holds.
            var partial = error!.Partial ?? await AllPartialResultsAsync().ConfigureAwait(false);
            error = error with { Partial = partial };
        }

        var kind = status switch
        {
            RunStatus.Succeeded => JournalEntryKind.RunSucceeded,
            RunStatus.Cancelled => JournalEntryKind.RunCancelled,
            _ => JournalEntryKind.RunFailed,
        };
        try
        {
            await Host.Store.AppendAsync(Lease, new JournalEntry { Kind = kind, Payload = output ?? error?.Partial, Error = error, Timestamp = Time.GetUtcNow() }, CancellationToken.None).ConfigureAwait(false);
            await Host.Store.SetStatusAsync(Lease, status, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RunLeaseLostException)
        {
            return LeaseLost(activity);
        }
        catch (Exception ex)
        {
            // The outcome could not be recorded: say so rather than claim a success the store does not know.
            Host.Logger.LogStoreFailure(RunId, ex);
            if (status == RunStatus.Succeeded)
            {
                status = RunStatus.Failed;
                error = new StepError(ErrorKind.Transient, $"the run finished but the store could not record it: {ex.Message}") { Code = "store", ExceptionType = ex.GetType().FullName, Exception = ex };
            }
        }

        if (MayHaveOpenRequests) await Host.Humans.WithdrawAsync(RunId).ConfigureAwait(false);
        return End(activity, status, output, error);
    }

    private RunResult End(Activity? activity, RunStatus status, Payload? output, StepError? error)
    {
        var statusTag = status.ToString().ToLowerInvariant();
        activity?.SetTag(BatonTelemetry.Tags.Status, statusTag);
        if (status != RunStatus.Succeeded) activity?.SetStatus(ActivityStatusCode.Error, error?.Message);
        BatonTelemetry.RunEnded(activity, statusTag, error, Usage);
        Events.Add(new RunEndedEvent(RunId, Time.GetUtcNow(), status, output, error));
        Events.Complete();
        return new RunResult(RunId, status, output, error, Usage, StepCount);
    }

    /// <summary>
    /// Another holder took the run (this host was too slow to renew its lease, or was taken for dead): this execution
    /// writes nothing more; the run goes on wherever it is now held.
    /// </summary>
    private RunResult LeaseLost(Activity? activity) =>
        End(activity, RunStatus.Failed, null, new StepError(ErrorKind.Transient,
            $"this process lost the lease on run '{RunId}' to another holder, which now runs it; nothing more was written here") { Code = "lease_lost" });

    /// <summary>The due time of a step's durable timer: as journaled when a previous execution set it, else now plus the delay, journaled now.</summary>
    internal async ValueTask<DateTimeOffset> TimerDueAsync(string timerKey, TimeSpan delay)
    {
        if (Replay.TryGetTimer(timerKey, out var due)) return due;
        due = Time.GetUtcNow() + delay;
        await Host.Store.AppendAsync(Lease, new JournalEntry { Kind = JournalEntryKind.TimerStarted, Key = timerKey, Timestamp = due }, CancellationToken.None).ConfigureAwait(false);
        Replay.AddTimer(timerKey, due);
        return due;
    }

    private async Task<RunResult> SuspendAsync()
    {
        var status = RunStatus.Waiting;
        StepError? error = null;
        try
        {
            await Host.Store.SetStatusAsync(Lease, RunStatus.Waiting, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RunLeaseLostException)
        {
            return LeaseLost(Activity.Current);
        }
        catch (Exception ex)
        {
            Host.Logger.LogStoreFailure(RunId, ex);
            status = RunStatus.Failed;
            error = new StepError(ErrorKind.Transient, $"the run could not record that it waits for a person: {ex.Message}") { Code = "store", ExceptionType = ex.GetType().FullName, Exception = ex };
        }

        BatonTelemetry.RunsEnded.Add(1, new KeyValuePair<string, object?>(BatonTelemetry.Tags.Status, "waiting"));
        Events.Add(new RunEndedEvent(RunId, Time.GetUtcNow(), status, null, error));
        Events.Complete();
        return new RunResult(RunId, status, null, error, Usage, StepCount);
    }

    private static void OnDeadline(object? state)
    {
        var (run, source) = ((RunExecution, CancellationTokenSource))state!;
        run._deadlineHit = true;
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run ended as the deadline fired.
        }
    }

    /// <summary>Runs one workflow scope from its entry until no edge is taken; its outcome is the last output, or why it stopped.</summary>
    /// <param name="workflow">The scope's workflow.</param>
    /// <param name="input">The entry step's input.</param>
    /// <param name="prefix">The scope's key prefix: empty for the run, the parent step's key and a slash for children.</param>
    /// <param name="scope">The state the scope's steps read and commit to.</param>
    /// <param name="cancellationToken">Cancels the scope.</param>
    /// <param name="now">The time, when the caller just read it (a fan-out reads it once for all its branches).</param>
    /// <param name="paths">Where the scope's steps are in the run report (for the events of a watched run); null at the top.</param>
    internal async ValueTask<ScopeOutcome> RunScopeAsync(Workflow workflow, Payload input, string prefix, ScopeState scope, CancellationToken cancellationToken, DateTimeOffset? now = null, ScopePaths? paths = null)
    {
        // Visits per step id, for the paths of a watched run's events (states/analyze#3): one count per step of the scope.
        var visits = Events.IsEnabled ? new Dictionary<string, int>(StringComparer.Ordinal) : null;
        var index = workflow.EntryIndex;
        var step = workflow.StepAt(index);
        var sequence = 0;
        // One clock read per step: a step starts the moment the one before it committed.
        while (true)
        {
            if (cancellationToken.IsCancellationRequested) return ScopeOutcome.Cancelled;
            sequence++;
            var number = sequence.ToString(CultureInfo.InvariantCulture);
            var key = StepKey.Of(prefix, number, step.Id);
            var path = visits is null ? null : (paths ?? ScopePaths.Top).Of(step.Id, visits[step.Id] = visits.GetValueOrDefault(step.Id) + 1);
            if (Budget.CountStep(step, key) is { } overLimit) return ScopeOutcome.Aborted(overLimit);
            JournalEntry entry;
            int next;
            if (Replay.IsActive && Replay.TryGetStep(StepKey.Position(prefix, number), out var replayed))
            {
                if (replayed.StepId != step.Id)
                {
                    return ScopeOutcome.Aborted(new StepError(ErrorKind.Fatal,
                        $"the journal has step '{replayed.StepId}' at '{replayed.Key}' but the workflow has '{step.Id}': the workflow changed since the run started") { Code = "journal_mismatch" });
                }

                entry = replayed;
                next = entry.Next is null ? -1 : workflow.IndexOf(entry.Next);
                // The run's own writes were restored with the journal; a nested scope's are its own until its composite
                // joins (and its watchers hear of them again, as they did when the step first committed).
                if (!scope.IsRoot && entry.StateChanges is { Count: > 0 } written) scope.Commit(written, entry.Key!);
                if (entry.Messages is { Count: > 0 } outbox && !Replay.WasPublished(entry.Key!))
                {
                    // Committed, but the crash came before its events reached the bus: publish them now.
                    await Committer.PublishAsync(entry.Key!, outbox, cancellationToken).ConfigureAwait(false);
                }

                if (entry.Kind == JournalEntryKind.StepCompleted && Events.IsEnabled)
                {
                    Events.Add(new StepCompletedEvent(RunId, Time.GetUtcNow(), key, step.Id, entry.Payload ?? Payload.Empty, entry.Attempts, TimeSpan.Zero, Replayed: true) { Usage = entry.Usage, Path = path, Parent = paths?.Parent });
                }
            }
            else
            {
                var executed = await ExecuteStepAsync(workflow, index, step, key, input, scope, now ?? Time.GetUtcNow(), path, paths?.Parent, cancellationToken).ConfigureAwait(false);
                if (executed.Halt is { } halt) return halt.Outcome;
                (entry, next) = (executed.Entry!, executed.Next);
                now = entry.Timestamp;
            }

            if (entry.Kind == JournalEntryKind.StepFailed)
            {
                var failure = entry.Error!;
                if (failure.Partial is null && step.IsComposite)
                {
                    // A composite stopped from outside (its timeout) says nothing of its children: the journal does.
                    failure = failure with { Partial = await PartialResults.OfChildrenAsync(Host.Store, RunId, entry.Key!).ConfigureAwait(false) };
                }

                var partial = await PartialResults.OfScopeAsync(Host.Store, RunId, prefix, step.Id, failure).ConfigureAwait(false);
                if (next < 0) return ScopeOutcome.Failed(failure with { Partial = partial });
                input = JsonPayloads.ErrorEnvelope(failure, partial);
            }
            else
            {
                input = entry.Payload ?? Payload.Empty;
                if (next < 0) return ScopeOutcome.Completed(input, entry.Confidence);
            }

            index = next;
            step = workflow.StepAt(index);
        }
    }

    /// <summary>What running a step gave: its journal entry and the position of the step to run next (-1 to end), or a halt.</summary>
    /// <remarks>Small on purpose (the halt by reference): a step that waits keeps two copies of it in its state machine.</remarks>
    private readonly record struct Executed(JournalEntry? Entry, int Next, StepHalt? Halt)
    {
        public static Executed Halted(ScopeOutcome outcome) => new(null, -1, new StepHalt(outcome));
    }

    /// <summary>The first attempt of a step, when <see cref="ExecuteStepAsync"/> started it but could not end it at once.</summary>
    /// <remarks>Tasks, not value tasks: the state machine that waits for them then holds references, not 80-byte results.</remarks>
    private sealed record StartedAttempt(StepContext Context, Task<AgentResult> Result, Task<StepCommitter.Commit>? Commit);

    /// <summary>
    /// Runs a step's attempts with its retry policy and commits the outcome. The usual step (not traced, its first
    /// attempt answered and committed at once, no events to publish) ends here without an async state machine: one
    /// per step, the scope's, is what a step costs the engine.
    /// </summary>
    private ValueTask<Executed> ExecuteStepAsync(Workflow workflow, int index, Step step, string key, Payload input, ScopeState scope, DateTimeOffset startedAt, string? path, string? parent, CancellationToken cancellationToken)
    {
        // A traced step starts its span in the async method, so the span is current only there (as its steps' parent).
        if (BatonTelemetry.IsTracing) return ExecuteAttemptsAsync(workflow, index, step, key, input, scope, startedAt, path, parent, null, cancellationToken);
        var context = StartAttempt(step, key, input, scope, 1, startedAt, path, parent);
        var attempt = StepAttempt.RunAsync(this, step, context, cancellationToken);
        if (!attempt.IsCompletedSuccessfully) return FinishStartedAsync(workflow, index, step, key, input, scope, startedAt, path, parent, new StartedAttempt(context, attempt.AsTask(), null), cancellationToken);
        if (attempt.Result is not { Error: null, Halt: null } result)
        {
            return ExecuteAttemptsAsync(workflow, index, step, key, input, scope, startedAt, path, parent, new StartedAttempt(context, attempt.AsTask(), null), cancellationToken);
        }

        var commit = Committer.CommitAsync(workflow, index, step, key, input, result, context, 1, startedAt);
        if (!commit.IsCompletedSuccessfully || commit.Result is not { Entry: { } committed, Abort: null } done || committed.Messages is { Count: > 0 })
        {
            return ExecuteAttemptsAsync(workflow, index, step, key, input, scope, startedAt, path, parent, new StartedAttempt(context, Task.FromResult(result), commit.AsTask()), cancellationToken);
        }

        StepCommitted(null, step, key, input, committed, 1, startedAt, path, parent);
        return new ValueTask<Executed>(new Executed(committed, done.Next, null));
    }

    /// <summary>
    /// A step whose agent did not answer at once: waits for it, commits, and ends as <see cref="ExecuteStepAsync"/> does.
    /// Anything else (a failure, a halt, a budget passed, events to publish) goes on in the general path, from where
    /// it stands. Its state machine, made for every agent that waits, is a fraction of the general path's.
    /// </summary>
    private async ValueTask<Executed> FinishStartedAsync(Workflow workflow, int index, Step step, string key, Payload input, ScopeState scope, DateTimeOffset startedAt, string? path, string? parent, StartedAttempt started, CancellationToken cancellationToken)
    {
        var result = await started.Result.ConfigureAwait(false);
        if (result is { Error: null, Halt: null })
        {
            var committing = Committer.CommitAsync(workflow, index, step, key, input, result, started.Context, 1, startedAt);
            var commit = committing.IsCompletedSuccessfully ? committing.Result : await committing.AsTask().ConfigureAwait(false);
            if (commit is { Entry: { } committed, Abort: null } && committed.Messages is not { Count: > 0 })
            {
                StepCommitted(null, step, key, input, committed, 1, startedAt, path, parent);
                return new Executed(committed, commit.Next, null);
            }

            started = started with { Commit = Task.FromResult(commit) };
        }

        return await ExecuteAttemptsAsync(workflow, index, step, key, input, scope, startedAt, path, parent, started, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A new attempt's context, once its start is told to the run's watchers.</summary>
    private StepContext StartAttempt(Step step, string key, Payload input, ScopeState scope, int attempt, DateTimeOffset startedAt, string? path, string? parent)
    {
        if (Events.IsEnabled) Events.Add(new StepStartedEvent(RunId, attempt == 1 ? startedAt : Time.GetUtcNow(), key, step.Id, step.AgentName, attempt) { Path = path, Parent = parent });
        return new StepContext(this, scope, key, step.Id, attempt, input, step.AgentName ?? step.Id) { Path = path };
    }

    /// <summary>Tells the step's span, metrics, log and watchers that it committed.</summary>
    private void StepCommitted(Activity? activity, Step step, string key, Payload input, JournalEntry committed, int attempt, DateTimeOffset startedAt, string? path, string? parent)
    {
        var elapsed = committed.Timestamp - startedAt;
        activity?.SetTag(BatonTelemetry.Tags.Attempt, attempt);
        activity?.SetTag(BatonTelemetry.Tags.Status, "succeeded");
        BatonTelemetry.StepCompleted(activity, elapsed, committed.Usage);
        if (Host.Logger.IsEnabled(LogLevel.Debug))
        {
            // Inputs and outputs may hold personal data: logged only as the host's content redactor leaves them.
            var redactor = Host.ContentRedactor;
            Host.Logger.LogStepCompleted(RunId, key, attempt, redactor.Redact(input.AsText()), redactor.Redact((committed.Payload ?? Payload.Empty).AsText()));
        }

        if (Events.IsEnabled) Events.Add(new StepCompletedEvent(RunId, committed.Timestamp, key, step.Id, committed.Payload ?? Payload.Empty, attempt, elapsed, Replayed: false) { Usage = committed.Usage, Path = path, Parent = parent });
    }

    /// <summary>The general path of <see cref="ExecuteStepAsync"/>: waits for what did not end at once, retries, fails, publishes.</summary>
    private async ValueTask<Executed> ExecuteAttemptsAsync(Workflow workflow, int index, Step step, string key, Payload input, ScopeState scope, DateTimeOffset startedAt, string? path, string? parent, StartedAttempt? started, CancellationToken cancellationToken)
    {
        using var activity = started is null ? BatonTelemetry.StartStep(RunId, Workflow.Name, key, step) : null;
        var policy = step.EffectiveRetry;
        for (var attempt = 1; ; attempt++)
        {
            StepContext context;
            AgentResult result;
            Task<StepCommitter.Commit>? pendingCommit = null;
            if (attempt == 1 && started is not null)
            {
                (context, pendingCommit) = (started.Context, started.Commit);
                result = await started.Result.ConfigureAwait(false);
            }
            else
            {
                context = StartAttempt(step, key, input, scope, attempt, startedAt, path, parent);
                var attempted = StepAttempt.RunAsync(this, step, context, cancellationToken);
                result = attempted.IsCompletedSuccessfully ? attempted.Result : await attempted.AsTask().ConfigureAwait(false);
            }

            if (result.Halt is { } halt)
            {
                context.ReturnReceived();
                return new Executed(null, -1, halt);
            }

            var error = result.Error;
            if (error is null)
            {
                var committing = pendingCommit is null ? Committer.CommitAsync(workflow, index, step, key, input, result, context, attempt, startedAt) : new(pendingCommit);
                var commit = committing.IsCompletedSuccessfully ? committing.Result : await committing.AsTask().ConfigureAwait(false);
                if (commit.Entry is { } committed)
                {
                    StepCommitted(activity, step, key, input, committed, attempt, startedAt, path, parent);
                    if (commit.Abort is { } overBudget) return Executed.Halted(ScopeOutcome.Aborted(overBudget));
                    if (committed.Messages is { Count: > 0 })
                    {
                        try
                        {
                            await Committer.PublishAsync(key, committed.Messages, cancellationToken).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                        {
                            // Committed: the outbox publishes what did not go out when the run resumes.
                            return Executed.Halted(ScopeOutcome.Cancelled);
                        }
                    }

                    return new Executed(committed, commit.Next, null);
                }

                error = commit.Error!;
            }

            // The attempt did not commit: messages it took go back to the mailbox for the next one.
            context.ReturnReceived();

            // The error names the step that failed in this workflow (a composite's message says which child did).
            if (error.StepId != step.Id) error = error with { StepId = step.Id };
            if (policy.ShouldRetry(error.Kind, attempt))
            {
                TimeSpan delay;
                lock (_jitterLock) delay = policy.DelayFor(attempt, error.RetryAfter, _retryJitter ??= new Random(StableHash(RunId)));
                Events.Add(new StepRetryingEvent(RunId, Time.GetUtcNow(), key, step.Id, attempt, delay, error) { Path = path, Parent = parent });
                activity?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { [BatonTelemetry.Tags.Attempt] = attempt, ["error.message"] = error.Message }));
                if (BatonTelemetry.StepRetries.Enabled) BatonTelemetry.StepRetries.Add(1);
                try
                {
                    await Task.Delay(delay, Time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return Executed.Halted(ScopeOutcome.Cancelled);
                }

                if (step.IsComposite || context.RanNested) Replay.AddChildren(await Host.Store.ReadJournalAsync(RunId, 0, CancellationToken.None).ConfigureAwait(false), key);
                continue;
            }

            var target = workflow.ErrorTarget(index);
            var entry = await Committer.FailAsync(step, key, context, error, target < 0 ? null : workflow.StepAt(target).Id, attempt, result.Usage, startedAt).ConfigureAwait(false);
            activity?.SetTag(BatonTelemetry.Tags.Attempt, attempt);
            activity?.SetTag(BatonTelemetry.Tags.Status, "failed");
            activity?.SetStatus(ActivityStatusCode.Error, error.Message);
            BatonTelemetry.StepFailed(activity, error, result.Usage);
            Events.Add(new StepFailedEvent(RunId, Time.GetUtcNow(), key, step.Id, error, attempt) { Path = path, Parent = parent });
            if (Budget.Spend(result.Usage) is { } spent) return Executed.Halted(ScopeOutcome.Aborted(spent));
            return new Executed(entry, target, null);
        }
    }

    /// <summary>Every output the run committed, for a run stopped from outside; empty when the store cannot say.</summary>
    private async ValueTask<Payload> AllPartialResultsAsync()
    {
        try
        {
            return await PartialResults.OfRunAsync(Host.Store, RunId).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Host.Logger.LogStoreFailure(RunId, ex);
            return Payload.Empty;
        }
    }

    internal static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text) hash = (hash ^ c) * 16777619u;
        return (int)hash;
    }
}
