using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Baton.Storage;
using Baton.Telemetry;

namespace Baton;

/// <summary>
/// Executes one run: walks each workflow scope step by step, journals every completion, and
/// replays completed steps from the journal on resume. Concurrency comes only from composite
/// steps (parallel, foreach), whose branches are child scopes that progress independently.
/// </summary>
internal sealed class RunExecution
{
    private readonly ConcurrencyGate _slots;
    private readonly SemaphoreSlim _commitLock = new(1, 1);
    private ConcurrentDictionary<string, JournalEntry>? _replay;
    private ConcurrentDictionary<string, bool>? _published;
    private ConcurrentDictionary<string, DateTimeOffset>? _timers;
    private Random? _random;
    private readonly Lock _usageLock = new();
    private Usage _usage;
    private int _steps;
    private int _writesSinceSnapshot;
    private volatile bool _deadlineHit;

    public RunExecution(BatonRuntime runtime, Workflow workflow, string runId, RunLimits limits, IReadOnlyList<JournalEntry>? journal, bool recordEvents = true)
    {
        Runtime = runtime;
        Workflow = workflow;
        RunId = runId;
        Limits = limits;
        Time = runtime.TimeProvider;
        State = new RunState(workflow.AllStateReducers);
        _slots = new ConcurrencyGate(limits.MaxParallel);
        Events = new RunEventLog(recordEvents, runtime.EventWindow);
        if (journal is not null)
        {
            _replay = new ConcurrentDictionary<string, JournalEntry>(StringComparer.Ordinal);
            // State starts from the latest snapshot; only writes after it are applied again.
            var snapshotAt = 0L;
            for (var i = journal.Count - 1; i >= 0; i--)
            {
                if (journal[i].Kind != JournalEntryKind.StateSnapshot) continue;
                snapshotAt = journal[i].Sequence;
                State.Overwrite(journal[i].StateChanges ?? []);
                break;
            }

            foreach (var entry in journal)
            {
                var applies = entry.Sequence > snapshotAt;
                // A failure with no error route ended the previous execution; resuming gives that step another chance.
                var replayable = entry.Kind == JournalEntryKind.StepCompleted || (entry.Kind == JournalEntryKind.StepFailed && entry.Next is not null);
                // Indexed by position (scope path and sequence number, without the step id), so a
                // workflow that changed since the run started is detected instead of silently re-run.
                if (replayable && entry.Key is not null) _replay[entry.Key[..entry.Key.LastIndexOf(':')]] = entry;
                if (applies && entry.Kind == JournalEntryKind.StepCompleted && entry.StateChanges is { } changes) State.Apply(changes, entry.Key);
                else if (applies && entry.Kind == JournalEntryKind.StateEdited && entry.StateChanges is { } edits) State.Overwrite(edits);
                else if (entry.Kind == JournalEntryKind.TimerStarted && entry.Key is { } timer) (_timers ??= new(StringComparer.Ordinal))[timer] = entry.Timestamp;
                _usage += entry.Usage;
            }

            _published = new ConcurrentDictionary<string, bool>(
                journal.Where(e => e.Kind == JournalEntryKind.EventsPublished && e.Key is not null).Select(e => KeyValuePair.Create(e.Key!, true)),
                StringComparer.Ordinal);

            // Mailboxes as the committed steps left them: every direct message delivered, then
            // the ones committed steps consumed removed (a receiver may commit before its sender).
            var committed = journal.Where(e => e.Kind == JournalEntryKind.StepCompleted).ToArray();
            foreach (var message in committed.SelectMany(e => e.Messages ?? []).Where(m => m.Recipient is not null))
            {
                if (message.ReplyTo is null) Messages.Deliver(message);
                else Messages.CompleteReply(message);
            }

            foreach (var id in committed.SelectMany(e => e.Received ?? [])) Messages.Consumed(id);
        }
    }

    public BatonRuntime Runtime { get; }

    public Workflow Workflow { get; }

    public string RunId { get; }

    public RunLimits Limits { get; }

    public TimeProvider Time { get; }

    public RunState State { get; }

    public RunEventLog Events { get; }

    public RunMessages Messages { get; } = new();

    /// <summary>This runtime's lease on the run: every write carries it, so a run taken by another process stops here.</summary>
    public RunLease Lease { get; set; } = null!;

    /// <summary>True once a step of this run asked a person (or the run resumed from waiting): its open requests are withdrawn when it ends.</summary>
    public bool MayHaveOpenRequests { get; set; }

    public Usage Usage
    {
        get
        {
            lock (_usageLock) return _usage;
        }
    }

    public int StepCount => Volatile.Read(ref _steps);

    public async Task<RunResult> ExecuteAsync(Payload input, bool resumed, CancellationToken cancellationToken)
    {
        using var activity = BatonTelemetry.StartRun(RunId, Workflow.Name, resumed);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var deadline = Limits.Timeout is { } timeout
            ? Time.CreateTimer(OnDeadline, (this, cts), timeout, Timeout.InfiniteTimeSpan)
            : null;
        BatonTelemetry.RunsStarted.Add(1);
        Events.Add(new RunStartedEvent(RunId, Time.GetUtcNow(), Workflow.Name, resumed));

        RunStatus status;
        Payload? output = null;
        StepError? error = null;
        try
        {
            var (result, _) = await RunScopeAsync(Workflow, input, string.Empty, cts.Token).ConfigureAwait(false);
            output = result;
            status = RunStatus.Succeeded;
        }
        catch (StepFailedException failed)
        {
            (status, error) = (RunStatus.Failed, failed.Error);
        }
        catch (RunSuspendedException)
        {
            // Waiting for a person: everything completed is journaled; the asking step asks again on resume.
            return await SuspendAsync().ConfigureAwait(false);
        }
        catch (RunAbortedException aborted)
        {
            (status, error) = (RunStatus.Failed, aborted.Error);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            (status, error) = _deadlineHit
                ? (RunStatus.Failed, new StepError(ErrorKind.Fatal, $"the run passed its deadline of {Limits.Timeout}") { Code = "deadline" })
                : (RunStatus.Cancelled, new StepError(ErrorKind.Fatal, "the run was cancelled") { Code = "cancelled" });
        }
        catch (Exception ex)
        {
            // A store failure or a bug in the engine: the journal still holds every committed step.
            (status, error) = (RunStatus.Failed, new StepError(ErrorKind.Fatal, $"the run stopped: {ex.Message}") { Code = "internal", ExceptionType = ex.GetType().FullName, Exception = ex });
        }

        Payload? partial = null;
        if (status != RunStatus.Succeeded)
        {
            // A step failure carries its scope's outputs and its own partial results; a stop from
            // outside (cancellation, deadline, limit) takes every output the journal holds.
            partial = error!.Partial ?? await PartialResultsAsync().ConfigureAwait(false);
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
            await Runtime.Store.AppendAsync(Lease, new JournalEntry { Kind = kind, Payload = output ?? partial, Error = error, Timestamp = Time.GetUtcNow() }, CancellationToken.None).ConfigureAwait(false);
            await Runtime.Store.SetStatusAsync(Lease, status, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The outcome could not be recorded: say so rather than claim a success the store does not know.
            Runtime.Logger.LogStoreFailure(RunId, ex);
            if (status == RunStatus.Succeeded)
            {
                status = RunStatus.Failed;
                error = new StepError(ErrorKind.Transient, $"the run finished but the store could not record it: {ex.Message}") { Code = "store", ExceptionType = ex.GetType().FullName, Exception = ex };
            }
        }

        if (MayHaveOpenRequests) await Runtime.Humans.WithdrawAsync(RunId).ConfigureAwait(false);
        var statusTag = status.ToString().ToLowerInvariant();
        activity?.SetTag(BatonTelemetry.Tags.Status, statusTag);
        if (status != RunStatus.Succeeded) activity?.SetStatus(ActivityStatusCode.Error, error?.Message);
        BatonTelemetry.RunsEnded.Add(1, new KeyValuePair<string, object?>(BatonTelemetry.Tags.Status, statusTag));
        Events.Add(new RunEndedEvent(RunId, Time.GetUtcNow(), status, output, error));
        Events.Complete();
        return new RunResult(RunId, status, output, error, Usage, StepCount);
    }

    /// <summary>Journals the whole state, under the commit lock so no write lands between the state read and the entry.</summary>
    private async ValueTask SnapshotAsync()
    {
        _writesSinceSnapshot = 0;
        var state = State.Snapshot().OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new StateChange(p.Key, p.Value)).ToArray();
        try
        {
            await Runtime.Store.AppendAsync(Lease, new JournalEntry { Kind = JournalEntryKind.StateSnapshot, StateChanges = state, Timestamp = Time.GetUtcNow() }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RunLeaseLostException)
        {
            throw;
        }
        catch (Exception ex)
        {
            // A snapshot only makes resume faster: the journal without it is complete.
            Runtime.Logger.LogStoreFailure(RunId, ex);
        }
    }

    /// <summary>The due time of a step's durable timer: as journaled when a previous execution set it, else now plus the delay, journaled now.</summary>
    internal async ValueTask<DateTimeOffset> TimerDueAsync(string timerKey, TimeSpan delay)
    {
        var timers = LazyInitializer.EnsureInitialized(ref _timers, static () => new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal));
        if (timers.TryGetValue(timerKey, out var due)) return due;
        due = Time.GetUtcNow() + delay;
        await Runtime.Store.AppendAsync(Lease, new JournalEntry { Kind = JournalEntryKind.TimerStarted, Key = timerKey, Timestamp = due }, CancellationToken.None).ConfigureAwait(false);
        timers[timerKey] = due;
        return due;
    }

    private async Task<RunResult> SuspendAsync()
    {
        var status = RunStatus.Waiting;
        StepError? error = null;
        try
        {
            await Runtime.Store.SetStatusAsync(Lease, RunStatus.Waiting, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Runtime.Logger.LogStoreFailure(RunId, ex);
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

    /// <summary>Runs one workflow scope from its entry until no edge is taken; returns the last output.</summary>
    /// <param name="workflow">The scope's workflow.</param>
    /// <param name="input">The entry step's input.</param>
    /// <param name="prefix">The scope's key prefix: empty for the run, the parent step's key and a slash for children.</param>
    /// <param name="cancellationToken">Cancels the scope.</param>
    /// <param name="now">The time, when the caller just read it (a fan-out reads it once for all its branches).</param>
    internal async ValueTask<(Payload Output, double? Confidence)> RunScopeAsync(Workflow workflow, Payload input, string prefix, CancellationToken cancellationToken, DateTimeOffset? now = null)
    {
        var index = workflow.EntryIndex;
        var step = workflow.StepAt(index);
        var sequence = 0;
        // One clock read per step: a step starts the moment the one before it committed.
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            sequence++;
            var number = sequence.ToString(CultureInfo.InvariantCulture);
            var key = string.Concat(prefix, number, ":", step.Id);
            CountStep(step, key);
            JournalEntry entry;
            int next;
            if (_replay is not null && _replay.TryGetValue(string.Concat(prefix, number), out var replayed))
            {
                if (replayed.StepId != step.Id)
                {
                    throw new RunAbortedException(new StepError(ErrorKind.Fatal,
                        $"the journal has step '{replayed.StepId}' at '{replayed.Key}' but the workflow has '{step.Id}': the workflow changed since the run started") { Code = "journal_mismatch" });
                }

                entry = replayed;
                next = entry.Next is null ? -1 : workflow.IndexOf(entry.Next);
                if (entry.Messages is { Count: > 0 } outbox && !_published!.ContainsKey(entry.Key!))
                {
                    // Committed, but the crash came before its events reached the bus: publish them now.
                    await PublishAsync(entry.Key!, outbox, cancellationToken).ConfigureAwait(false);
                }

                if (entry.Kind == JournalEntryKind.StepCompleted && Events.IsEnabled)
                {
                    Events.Add(new StepCompletedEvent(RunId, Time.GetUtcNow(), key, step.Id, entry.Payload ?? Payload.Empty, entry.Attempts, TimeSpan.Zero, Replayed: true) { Usage = entry.Usage });
                }
            }
            else
            {
                (entry, next) = await ExecuteStepAsync(workflow, index, step, key, input, now ?? Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                now = entry.Timestamp;
            }

            if (entry.Kind == JournalEntryKind.StepFailed)
            {
                var failure = entry.Error!;
                if (failure.Partial is null && step.IsComposite)
                {
                    // A composite stopped from outside (its timeout) says nothing of its children: the journal does.
                    failure = failure with { Partial = await ChildOutputsAsync(entry.Key!).ConfigureAwait(false) };
                }

                var partial = await ScopePartialAsync(prefix, step.Id, failure).ConfigureAwait(false);
                if (next < 0) throw new StepFailedException(failure with { Partial = partial });
                input = JsonPayloads.ErrorEnvelope(failure, partial);
            }
            else
            {
                input = entry.Payload ?? Payload.Empty;
                if (next < 0) return (input, entry.Confidence);
            }

            index = next;
            step = workflow.StepAt(index);
        }
    }

    /// <summary>Runs a step's attempts and commits the outcome; returns the entry and the position of the step to run next (-1 to end).</summary>
    private async ValueTask<(JournalEntry Entry, int Next)> ExecuteStepAsync(Workflow workflow, int index, Step step, string key, Payload input, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        using var activity = BatonTelemetry.StartStep(RunId, key, step);
        var policy = step.EffectiveRetry;
        for (var attempt = 1; ; attempt++)
        {
            if (Events.IsEnabled) Events.Add(new StepStartedEvent(RunId, attempt == 1 ? startedAt : Time.GetUtcNow(), key, step.Id, step.AgentName, attempt));
            var context = new StepContext(this, key, step.Id, attempt, input, step.AgentName ?? step.Id);
            var result = await AttemptAsync(step, key, input, context, cancellationToken).ConfigureAwait(false);
            StepError? error = result.Error;
            if (error is null)
            {
                var (committed, next, commitError) = await CommitStepAsync(workflow, index, step, key, input, result, context, attempt, startedAt).ConfigureAwait(false);
                if (committed is not null)
                {
                    var elapsed = committed.Timestamp - startedAt;
                    activity?.SetTag(BatonTelemetry.Tags.Attempt, attempt);
                    activity?.SetTag(BatonTelemetry.Tags.Status, "succeeded");
                    if (BatonTelemetry.StepsCompleted.Enabled) BatonTelemetry.StepsCompleted.Add(1);
                    if (BatonTelemetry.StepDuration.Enabled) BatonTelemetry.StepDuration.Record(elapsed.TotalMilliseconds);
                    if (Events.IsEnabled) Events.Add(new StepCompletedEvent(RunId, committed.Timestamp, key, step.Id, committed.Payload ?? Payload.Empty, attempt, elapsed, Replayed: false) { Usage = committed.Usage });
                    if (committed.Messages is { Count: > 0 }) await PublishAsync(key, committed.Messages, cancellationToken).ConfigureAwait(false);
                    return (committed, next);
                }

                error = commitError!;
            }

            // The attempt did not commit: messages it took go back to the mailbox for the next one.
            context.ReturnReceived();

            // The error names the step that failed in this workflow (a composite's message says which child did).
            if (error.StepId != step.Id) error = error with { StepId = step.Id };
            if (policy.ShouldRetry(error.Kind, attempt))
            {
                TimeSpan delay;
                lock (_usageLock) delay = policy.DelayFor(attempt, error.RetryAfter, _random ??= new Random(StableHash(RunId)));
                Events.Add(new StepRetryingEvent(RunId, Time.GetUtcNow(), key, step.Id, attempt, delay, error));
                activity?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { [BatonTelemetry.Tags.Attempt] = attempt, ["error.message"] = error.Message }));
                if (BatonTelemetry.StepRetries.Enabled) BatonTelemetry.StepRetries.Add(1);
                await Task.Delay(delay, Time, cancellationToken).ConfigureAwait(false);
                if (step.IsComposite) await ReplayChildrenAsync(key).ConfigureAwait(false);
                continue;
            }

            var target = workflow.ErrorTarget(index);
            var entry = await Runtime.Store.AppendAsync(Lease, new JournalEntry
            {
                Kind = JournalEntryKind.StepFailed,
                Key = key,
                StepId = step.Id,
                Error = error,
                Next = target < 0 ? null : workflow.StepAt(target).Id,
                Attempts = attempt,
                Usage = result.Usage,
                StartedAt = startedAt,
                Timestamp = Time.GetUtcNow(),
            }, CancellationToken.None).ConfigureAwait(false);
            AddUsage(result.Usage);
            activity?.SetTag(BatonTelemetry.Tags.Attempt, attempt);
            activity?.SetTag(BatonTelemetry.Tags.Status, "failed");
            activity?.SetStatus(ActivityStatusCode.Error, error.Message);
            if (BatonTelemetry.StepsFailed.Enabled) BatonTelemetry.StepsFailed.Add(1);
            Events.Add(new StepFailedEvent(RunId, Time.GetUtcNow(), key, step.Id, error, attempt));
            return (entry, target);
        }
    }

    /// <summary>
    /// Before a composite step tries again, its children that completed are set to replay, as on
    /// resume: the retry re-runs what failed, not what is done (nor applies its state twice).
    /// </summary>
    private async ValueTask ReplayChildrenAsync(string key)
    {
        var prefix = key + "/";
        var journal = await Runtime.Store.ReadJournalAsync(RunId, 0, CancellationToken.None).ConfigureAwait(false);
        // The published-events set first: a replayed child must find its marker, or it would publish again.
        Interlocked.CompareExchange(ref _published, new ConcurrentDictionary<string, bool>(StringComparer.Ordinal), null);
        foreach (var entry in journal)
        {
            if (entry.Kind == JournalEntryKind.EventsPublished && entry.Key is { } published) _published[published] = true;
        }

        Interlocked.CompareExchange(ref _replay, new ConcurrentDictionary<string, JournalEntry>(StringComparer.Ordinal), null);
        foreach (var entry in journal)
        {
            if (entry.Kind != JournalEntryKind.StepCompleted || entry.Key is not { } childKey || !childKey.StartsWith(prefix, StringComparison.Ordinal)) continue;
            _replay[childKey[..childKey.LastIndexOf(':')]] = entry;
        }
    }

    private async ValueTask<AgentResult> AttemptAsync(Step step, string key, Payload input, StepContext context, CancellationToken cancellationToken)
    {
        CancellationTokenSource? timeoutSource = null;
        CancellationTokenRegistration link = default;
        var token = cancellationToken;
        var holdsSlot = !step.IsComposite;
        try
        {
            // Waiting for a slot behind MaxParallel is the run's business, not the step's: the
            // step's timeout starts once it may run (the run's deadline bounds the wait).
            if (holdsSlot) await _slots.EnterAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (step.Timeout is { } timeout)
                {
                    timeoutSource = new CancellationTokenSource(timeout, Time);
                    link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeoutSource);
                    token = timeoutSource.Token;
                }

                return step.Resource is null
                    ? await step.ExecuteAsync(context, token).ConfigureAwait(false)
                    : await StepResources.ExecuteAsync(this, step, context, token, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (holdsSlot) _slots.Release();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (timeoutSource?.IsCancellationRequested == true)
        {
            return AgentResult.Failure(new StepError(ErrorKind.Transient, $"step '{step.Id}' timed out after {step.Timeout}", step.Id) { Code = "timeout" });
        }
        catch (RunAbortedException)
        {
            throw;
        }
        catch (RunSuspendedException)
        {
            throw;
        }
        catch (StepFailedException failed)
        {
            return AgentResult.Failure(failed.Error);
        }
        catch (Exception ex)
        {
            return AgentResult.Failure(ErrorClassifier.Classify(ex, step.Id));
        }
        finally
        {
            link.Dispose();
            timeoutSource?.Dispose();
        }
    }

    /// <summary>
    /// Commits a successful attempt: checks the output, picks the next step, appends the entry
    /// and applies its state writes, in that order, under the commit lock when it writes state
    /// so writes are applied in journal order.
    /// </summary>
    private async ValueTask<(JournalEntry? Entry, int Next, StepError? Error)> CommitStepAsync(
        Workflow workflow, int index, Step step, string key, Payload input, AgentResult result, StepContext context, int attempt, DateTimeOffset startedAt)
    {
        var output = result.Output ?? Payload.Empty;
        if (output.SizeInBytes > Limits.MaxPayloadBytes && output.ExactSizeInBytes > Limits.MaxPayloadBytes)
        {
            return (null, -1, new StepError(ErrorKind.Fatal, $"step '{step.Id}' produced {output.ExactSizeInBytes} bytes, over the payload limit of {Limits.MaxPayloadBytes}", step.Id) { Code = "payload_size" });
        }

        var changes = context.Changes;
        if (Oversized(step, changes, context.Messages) is { } tooBig) return (null, -1, tooBig);
        if (changes is not null) await _commitLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            IRunStateView view = State;
            if (changes is not null)
            {
                if (State.Validate(changes) is { } invalid) return (null, -1, invalid with { StepId = step.Id });
                view = State.WithPending(changes);
            }

            int next;
            try
            {
                next = ChooseNext(workflow, index, new StepOutcome(input, output, result.Confidence, view));
            }
            catch (Exception ex)
            {
                return (null, -1, new StepError(ErrorKind.Fatal, $"a condition on an edge from '{step.Id}' threw: {ex.Message}", step.Id) { Code = "condition", ExceptionType = ex.GetType().FullName });
            }

            var entry = await Runtime.Store.AppendAsync(Lease, new JournalEntry
            {
                Kind = JournalEntryKind.StepCompleted,
                Key = key,
                StepId = step.Id,
                Payload = output,
                Confidence = result.Confidence,
                Next = next < 0 ? null : workflow.StepAt(next).Id,
                Attempts = attempt,
                StateChanges = changes,
                Messages = context.Messages,
                Received = context.Received,
                Usage = result.Usage,
                StartedAt = startedAt,
                Timestamp = Time.GetUtcNow(),
            }, CancellationToken.None).ConfigureAwait(false);
            if (context.Messages is { } sent)
            {
                foreach (var message in sent)
                {
                    if (message.Recipient is not null && message.ReplyTo is null) Messages.Deliver(message);
                }
            }

            if (changes is not null)
            {
                State.Apply(changes, key);
                if (Events.IsEnabled)
                {
                    foreach (var change in changes) Events.Add(new StateChangedEvent(RunId, entry.Timestamp, key, change.Name, change.Value));
                }

                if (Runtime.SnapshotEvery > 0 && ++_writesSinceSnapshot >= Runtime.SnapshotEvery) await SnapshotAsync().ConfigureAwait(false);
            }
            AddUsage(result.Usage);
            return (entry, next, null);
        }
        finally
        {
            if (changes is not null) _commitLock.Release();
        }
    }

    /// <summary>A state write or message over the payload limit: the step fails once (fatal), as for an oversized output.</summary>
    private StepError? Oversized(Step step, IReadOnlyList<StateChange>? changes, IReadOnlyList<Message>? messages)
    {
        foreach (var change in changes ?? [])
        {
            if (change.Value.SizeInBytes > Limits.MaxPayloadBytes && change.Value.ExactSizeInBytes > Limits.MaxPayloadBytes)
            {
                return new StepError(ErrorKind.Fatal, $"step '{step.Id}' wrote {change.Value.ExactSizeInBytes} bytes to state '{change.Name}', over the payload limit of {Limits.MaxPayloadBytes}", step.Id) { Code = "payload_size" };
            }
        }

        foreach (var message in messages ?? [])
        {
            if (message.Payload.SizeInBytes > Limits.MaxPayloadBytes && message.Payload.ExactSizeInBytes > Limits.MaxPayloadBytes)
            {
                return new StepError(ErrorKind.Fatal, $"step '{step.Id}' sent a message of {message.Payload.ExactSizeInBytes} bytes, over the payload limit of {Limits.MaxPayloadBytes}", step.Id) { Code = "payload_size" };
            }
        }

        return null;
    }

    private static int ChooseNext(Workflow workflow, int index, StepOutcome outcome)
    {
        var (edges, targets) = workflow.Outgoing(index);
        for (var i = 0; i < edges.Length; i++)
        {
            if (edges[i].Condition is not { } condition || condition(outcome)) return targets[i];
        }

        return -1;
    }

    /// <summary>
    /// The step's outbox: publishes the events it committed, then journals that they went out, so a
    /// resume publishes again only what a crash kept from the bus (at least once, with stable ids).
    /// </summary>
    private async ValueTask PublishAsync(string key, IReadOnlyList<Message> messages, CancellationToken cancellationToken)
    {
        var any = false;
        foreach (var message in messages)
        {
            if (message.Topic is null) continue;
            await Runtime.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            any = true;
        }

        if (any)
        {
            await Runtime.Store.AppendAsync(Lease, new JournalEntry { Kind = JournalEntryKind.EventsPublished, Key = key, Timestamp = Time.GetUtcNow() }, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private void CountStep(Step step, string key)
    {
        if (Interlocked.Increment(ref _steps) > Limits.MaxSteps)
        {
            throw new RunAbortedException(new StepError(ErrorKind.Fatal,
                $"the run reached its limit of {Limits.MaxSteps} steps at step '{step.Id}' ({key}); raise RunLimits.MaxSteps (limits.maxSteps in a workflow file) if it is meant to run longer — every branch's steps count", step.Id) { Code = "step_limit" });
        }
    }

    private void AddUsage(Usage usage)
    {
        if (usage == default) return;
        Usage total;
        lock (_usageLock) total = _usage += usage;
        if (Limits.MaxTokens is { } maxTokens && total.TotalTokens > maxTokens)
        {
            throw new RunAbortedException(new StepError(ErrorKind.Fatal, $"the run spent {total.TotalTokens} tokens, over its budget of {maxTokens}") { Code = "budget" });
        }

        if (Limits.MaxCost is { } maxCost && total.Cost > maxCost)
        {
            throw new RunAbortedException(new StepError(ErrorKind.Fatal, $"the run spent {total.Cost}, over its cost budget of {maxCost}") { Code = "budget" });
        }
    }

    /// <summary>
    /// Outputs of the steps this scope completed before a failure, <c>{ stepId: output }</c>, with
    /// the failed step's own partial results. Read from the journal, so the happy path keeps no copy.
    /// </summary>
    private async ValueTask<Payload> ScopePartialAsync(string prefix, string failedStep, StepError failure)
    {
        var properties = await ScopeOutputsAsync(prefix).ConfigureAwait(false);
        if (failure.Partial is { IsEmpty: false } own) properties[failedStep] = own;
        return JsonPayloads.Object(properties);
    }

    /// <summary>Every output committed under a composite step, by key relative to it (<c>branch/1:step</c>), or null when none.</summary>
    private async ValueTask<Payload?> ChildOutputsAsync(string key)
    {
        var prefix = key + "/";
        var journal = await Runtime.Store.ReadJournalAsync(RunId, 0, CancellationToken.None).ConfigureAwait(false);
        var properties = journal
            .Where(e => e.Kind == JournalEntryKind.StepCompleted && e.Key is { } k && k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(e => new KeyValuePair<string, Payload?>(e.Key![prefix.Length..], e.Payload))
            .ToList();
        return properties.Count == 0 ? null : JsonPayloads.Object(properties);
    }

    /// <summary>The outputs of the steps a scope completed, by step id (the last, for a step that ran more than once).</summary>
    internal async ValueTask<Dictionary<string, Payload?>> ScopeOutputsAsync(string prefix)
    {
        var properties = new Dictionary<string, Payload?>(StringComparer.Ordinal);
        var journal = await Runtime.Store.ReadJournalAsync(RunId, 0, CancellationToken.None).ConfigureAwait(false);
        foreach (var entry in journal)
        {
            if (entry.Kind != JournalEntryKind.StepCompleted || entry.Key is not { } key) continue;
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || key.IndexOf('/', prefix.Length) >= 0) continue;
            properties[entry.StepId!] = entry.Payload;
        }

        return properties;
    }

    /// <summary>Every output the run committed: top-level steps by id, nested ones by their full key.</summary>
    private async ValueTask<Payload> PartialResultsAsync()
    {
        try
        {
            var journal = await Runtime.Store.ReadJournalAsync(RunId, 0, CancellationToken.None).ConfigureAwait(false);
            var properties = new Dictionary<string, Payload?>(StringComparer.Ordinal);
            foreach (var entry in journal)
            {
                if (entry.Kind != JournalEntryKind.StepCompleted || entry.Key is null) continue;
                properties[entry.Key.Contains('/', StringComparison.Ordinal) ? entry.Key : entry.StepId!] = entry.Payload;
            }

            return JsonPayloads.Object(properties);
        }
        catch (Exception ex)
        {
            Runtime.Logger.LogStoreFailure(RunId, ex);
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
