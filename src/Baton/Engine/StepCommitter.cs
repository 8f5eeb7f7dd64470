using Baton.Storage;

namespace Baton;

/// <summary>
/// Commits steps to the run's journal: checks a successful attempt's output, state writes and messages against
/// the limits, picks the next step, appends the entry and applies its writes (under one lock, so writes apply in
/// journal order), delivers its messages, publishes its events (the outbox), and snapshots the state now and then.
/// </summary>
internal sealed class StepCommitter(RunExecution run)
{
    private readonly SemaphoreSlim _commitLock = new(1, 1);
    private int _writesSinceSnapshot;

    /// <summary>What committing an attempt gave: the entry and the next step, or the error that fails the attempt; and the error that aborts the run, when the step's usage passed the budget.</summary>
    public readonly record struct Commit(JournalEntry? Entry, int Next, StepError? Error, StepError? Abort);

    /// <summary>Commits a successful attempt (see the class remarks for the order of things).</summary>
    public ValueTask<Commit> CommitAsync(Workflow workflow, int index, Step step, string key, Payload input, AgentResult result, StepContext context, int attempt, DateTimeOffset startedAt)
    {
        var output = result.Output ?? Payload.Empty;
        var limit = run.Limits.MaxPayloadBytes;
        if (output.SizeInBytes > limit && output.ExactSizeInBytes > limit)
        {
            return new(new Commit(null, -1, new StepError(ErrorKind.Fatal, $"step '{step.Id}' produced {output.ExactSizeInBytes} bytes, over the payload limit of {limit}", step.Id) { Code = "payload_size" }, null));
        }

        // A composite commits what its children wrote (joined in child order) before its own writes.
        var joined = context.Joined?.Written() ?? [];
        var changes = joined.Count == 0 ? context.Changes : context.Changes is { } own ? [.. joined, .. own] : joined;
        if (Oversized(step, changes, context.Messages) is { } tooBig) return new(new Commit(null, -1, tooBig, null));
        if (changes is not null) return CommitWritesAsync(workflow, index, step, key, input, output, result, context, attempt, startedAt, changes, joined.Count);

        // Nothing written: no lock to take, and when the store appends at once, no async state machine either.
        if (!TryChooseNext(workflow, index, step, new StepOutcome(input, output, result.Confidence, context.Scope), out var next, out var threw)) return new(new Commit(null, -1, threw, null));
        var append = run.Host.Store.AppendAsync(run.Lease, Completed(workflow, step, key, output, result, context, attempt, startedAt, next, null), CancellationToken.None);
        if (!append.IsCompletedSuccessfully) return AwaitAppendAsync(append, next, result.Usage, context);
        Deliver(context);
        return new(new Commit(append.Result, next, null, run.Budget.Spend(result.Usage)));
    }

    private async ValueTask<Commit> AwaitAppendAsync(ValueTask<JournalEntry> append, int next, Usage usage, StepContext context)
    {
        var entry = await append.ConfigureAwait(false);
        Deliver(context);
        return new Commit(entry, next, null, run.Budget.Spend(usage));
    }

    /// <summary>Commits an attempt that wrote state: under the commit lock, so writes apply in journal order.</summary>
    private async ValueTask<Commit> CommitWritesAsync(Workflow workflow, int index, Step step, string key, Payload input, Payload output, AgentResult result, StepContext context, int attempt, DateTimeOffset startedAt, IReadOnlyList<StateChange> changes, int joined)
    {
        var scope = context.Scope;
        await _commitLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (scope.Validate(changes) is { } invalid) return new Commit(null, -1, invalid with { StepId = step.Id }, null);
            if (!TryChooseNext(workflow, index, step, new StepOutcome(input, output, result.Confidence, scope.WithPending(changes)), out var next, out var threw)) return new Commit(null, -1, threw, null);
            var entry = await run.Host.Store.AppendAsync(run.Lease, Completed(workflow, step, key, output, result, context, attempt, startedAt, next, changes), CancellationToken.None).ConfigureAwait(false);
            Deliver(context);
            scope.Commit(changes, key, alreadyTold: joined);
            if (run.Events.IsEnabled)
            {
                foreach (var change in changes.Skip(joined))
                {
                    // An agent's private state is its own: it is not reported to the run's watchers.
                    if (change.Agent is null) run.Events.Add(new StateChangedEvent(run.RunId, entry.Timestamp, key, change.Name, change.Value));
                }
            }

            // Only the run's own workflow changes the run's state; nested scopes join it through their composite.
            if (scope.IsRoot && run.Host.SnapshotEvery > 0 && ++_writesSinceSnapshot >= run.Host.SnapshotEvery) await SnapshotAsync().ConfigureAwait(false);

            return new Commit(entry, next, null, run.Budget.Spend(result.Usage));
        }
        finally
        {
            _commitLock.Release();
        }
    }

    private JournalEntry Completed(Workflow workflow, Step step, string key, Payload output, AgentResult result, StepContext context, int attempt, DateTimeOffset startedAt, int next, IReadOnlyList<StateChange>? changes) => new()
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
        Timestamp = run.Time.GetUtcNow(),
    };

    /// <summary>Delivers the committed step's direct messages to their mailboxes (replies went to their waiters when sent).</summary>
    private void Deliver(StepContext context)
    {
        if (context.Messages is not { } sent) return;
        foreach (var message in sent)
        {
            if (message.Recipient is not null && message.ReplyTo is null) run.Messages.Deliver(message);
        }
    }

    /// <summary>
    /// Journals a step that failed for good, with the error route it takes (if any). A composite's children that
    /// committed keep their writes: what joined is committed with the failure (its own writes are not).
    /// </summary>
    public async ValueTask<JournalEntry> FailAsync(Step step, string key, StepContext context, StepError error, string? next, int attempt, Usage usage, DateTimeOffset startedAt)
    {
        var joined = context.Joined?.Written() is { Count: > 0 } written ? written : null;
        if (joined is not null) await _commitLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            var entry = await run.Host.Store.AppendAsync(run.Lease, new JournalEntry
            {
                Kind = JournalEntryKind.StepFailed,
                Key = key,
                StepId = step.Id,
                Error = error,
                Next = next,
                Attempts = attempt,
                StateChanges = joined,
                Usage = usage,
                StartedAt = startedAt,
                Timestamp = run.Time.GetUtcNow(),
            }, CancellationToken.None).ConfigureAwait(false);
            if (joined is not null) context.Scope.Commit(joined, key, alreadyTold: joined.Count);
            return entry;
        }
        finally
        {
            if (joined is not null) _commitLock.Release();
        }
    }

    /// <summary>
    /// The step's outbox: publishes the events it committed, then journals that they went out, so a resume
    /// publishes again only what a crash kept from the bus (at least once, with stable ids).
    /// </summary>
    public async ValueTask PublishAsync(string key, IReadOnlyList<Message> messages, CancellationToken cancellationToken)
    {
        var any = false;
        foreach (var message in messages)
        {
            if (message.Topic is null) continue;
            await run.Host.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            any = true;
        }

        if (any)
        {
            await run.Host.Store.AppendAsync(run.Lease, new JournalEntry { Kind = JournalEntryKind.EventsPublished, Key = key, Timestamp = run.Time.GetUtcNow() }, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Journals the whole state, under the commit lock so no write lands between the state read and the entry.</summary>
    private async ValueTask SnapshotAsync()
    {
        _writesSinceSnapshot = 0;
        var state = run.State.SnapshotChanges();
        try
        {
            await run.Host.Store.AppendAsync(run.Lease, new JournalEntry { Kind = JournalEntryKind.StateSnapshot, StateChanges = state, Timestamp = run.Time.GetUtcNow() }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RunLeaseLostException)
        {
            throw;
        }
        catch (Exception ex)
        {
            // A snapshot only makes resume faster: the journal without it is complete.
            run.Host.Logger.LogStoreFailure(run.RunId, ex);
        }
    }

    /// <summary>A state write or message over the payload limit: the step fails once (fatal), as for an oversized output.</summary>
    private StepError? Oversized(Step step, IReadOnlyList<StateChange>? changes, IReadOnlyList<Message>? messages)
    {
        var limit = run.Limits.MaxPayloadBytes;
        foreach (var change in changes ?? [])
        {
            if (change.Value.SizeInBytes > limit && change.Value.ExactSizeInBytes > limit)
            {
                return new StepError(ErrorKind.Fatal, $"step '{step.Id}' wrote {change.Value.ExactSizeInBytes} bytes to state '{change.Name}', over the payload limit of {limit}", step.Id) { Code = "payload_size" };
            }
        }

        foreach (var message in messages ?? [])
        {
            if (message.Payload.SizeInBytes > limit && message.Payload.ExactSizeInBytes > limit)
            {
                return new StepError(ErrorKind.Fatal, $"step '{step.Id}' sent a message of {message.Payload.ExactSizeInBytes} bytes, over the payload limit of {limit}", step.Id) { Code = "payload_size" };
            }
        }

        return null;
    }

    /// <summary>The step to run next (-1 to end): the first outgoing edge whose condition holds; false with the error when a condition threw.</summary>
    private static bool TryChooseNext(Workflow workflow, int index, Step step, StepOutcome outcome, out int next, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out StepError? error)
    {
        error = null;
        var (edges, targets) = workflow.Outgoing(index);
        try
        {
            for (var i = 0; i < edges.Length; i++)
            {
                if (edges[i].Condition is not { } condition || condition(outcome))
                {
                    next = targets[i];
                    return true;
                }
            }
        }
        catch (Exception ex)
        {
            next = -1;
            error = new StepError(ErrorKind.Fatal, $"a condition on an edge from '{step.Id}' threw: {ex.Message}", step.Id) { Code = "condition", ExceptionType = ex.GetType().FullName };
            return false;
        }

        next = -1;
        return true;
    }
}
