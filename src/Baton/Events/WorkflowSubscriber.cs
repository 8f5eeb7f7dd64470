using Baton.Storage;

namespace Baton;

/// <summary>
/// Delivers events to a workflow subscriber durably, in two halves. <see cref="StoreRunAsync"/> runs while the event is
/// published: it stores the run the event starts (under an id derived from the event and the subscriber, idempotent),
/// so once a step's outbox returns, every child run of its events exists and the outbox may be marked published.
/// <see cref="DeliverAsync"/> runs in the subscriber's queue: it runs that stored run to its end (or finds it already
/// running, or done). A crash between the two leaves a stored, unleased run that resuming interrupted runs finishes;
/// a crash before the outbox is marked publishes again, and the second store finds the first run.
/// </summary>
/// <remarks>
/// This is the seam for events that cross processes: <see cref="StoreRunAsync"/> is the only part that must happen
/// before the publisher goes on, and it touches only the store.
/// </remarks>
internal sealed class WorkflowSubscriber(IRunLauncher runtime, Workflow workflow, string name, string pattern)
{
    /// <summary>The workflow each event starts a run of.</summary>
    public Workflow Workflow => workflow;

    /// <summary>
    /// Stores the run <paramref name="delivery"/> starts, unless the store has it already (a second delivery of the
    /// same event); sets <see cref="EventDelivery.RunId"/>. The run is stored running with its start entry and no lease.
    /// </summary>
    public async ValueTask StoreRunAsync(EventDelivery delivery, CancellationToken cancellationToken)
    {
        var message = delivery.Message;
        var runId = ChildRunIds.For(message.Id, name, pattern);
        delivery.RunId = runId;
        var store = runtime.Store;
        if (await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is not null) return;
        // A child run carries its parent's workflow definition (a file's text and the files it names): a subscription of a
        // file is a workflow of that file, so any process that can build the parent can build the child and resume it.
        var parent = message.RunId is { } parentId ? await store.GetRunAsync(parentId, cancellationToken).ConfigureAwait(false) : null;
        var now = runtime.TimeProvider.GetUtcNow();
        var record = new RunRecord
        {
            RunId = runId,
            Workflow = workflow.Name,
            Status = RunStatus.Running,
            StartedAt = now,
            UpdatedAt = now,
            ParentRunId = message.RunId,
            Source = parent?.Source,
            Definition = parent?.Definition,
        };
        RunLease lease;
        try
        {
            // Record and start entry in one write: a crash never leaves a run without its input.
            lease = await store.CreateRunAsync(record, OwnerFor(runId), TimeSpan.FromSeconds(1), [new JournalEntry { Kind = JournalEntryKind.RunStarted, Payload = message.Payload, Timestamp = now }], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Another delivery of the same event may have stored it first (another process, or a race with a resume):
            // the store refuses a second run with that id, which is the idempotence this relies on.
            if (await ExistsAsync(store, runId).ConfigureAwait(false)) return;
            throw;
        }

        // Nobody runs it yet: the subscriber's queue takes it, or a resume of interrupted runs does after a crash.
        await store.ReleaseLeaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the stored run of <paramref name="delivery"/> to its end: resumes it (completed steps are not run again), waits
    /// for it when it already runs in this runtime or another process holds it, and succeeds at once when it already
    /// succeeded (a second delivery).
    /// </summary>
    public async ValueTask<RunResult?> DeliverAsync(EventDelivery delivery, CancellationToken cancellationToken)
    {
        var runId = delivery.RunId ?? throw new InvalidOperationException($"the run of event '{delivery.Message.Id}' for '{name}' was never stored");
        while (true)
        {
            if (runtime.GetActiveRun(runId) is { Completion: { } running })
            {
                return await running.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            var record = await runtime.Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"run '{runId}' that event '{delivery.Message.Id}' started for '{name}' is no longer in the store");
            switch (record.Status)
            {
                case RunStatus.Succeeded or RunStatus.Waiting:
                    // Delivered before (this event came again after a crash): nothing to do.
                    return null;
                case RunStatus.Cancelled:
                    return new RunResult(runId, RunStatus.Cancelled, null, new StepError(ErrorKind.Fatal, $"run '{runId}' that event '{delivery.Message.Id}' started was cancelled") { Code = "cancelled" }, Usage.None, 0);
            }

            var now = runtime.TimeProvider.GetUtcNow();
            if (record.LeaseOwner is not null && record.LeaseExpiresAt is { } expires && expires > now)
            {
                // Another process runs it (it resumed it as interrupted, or a cluster's worker took it): the delivery is
                // that run, so wait for it to settle — or for its lease to lapse, and continue it here — rather than
                // spend a delivery attempt (and perhaps dead-letter an event whose run goes on fine elsewhere).
                var look = expires - now < HeldRunLook ? expires - now : HeldRunLook;
                await Task.Delay(look, runtime.TimeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }

            RunHandle handle;
            try
            {
                handle = await runtime.ResumeAsync(runId, workflow, options: null, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (runtime.GetActiveRun(runId) is not null)
            {
                // A resume of interrupted runs took it between the look and the resume: wait for that one.
                continue;
            }
            catch (InvalidOperationException ex)
            {
                // Taken by a resume that has not registered it yet, or by another process: the retry finds it settled.
                return new RunResult(runId, RunStatus.Failed, null, new StepError(ErrorKind.Recoverable, ex.Message) { Code = "leased", RetryAfter = TimeSpan.FromMilliseconds(50) }, Usage.None, 0);
            }

            return await handle.Completion.ConfigureAwait(false);
        }
    }

    /// <summary>How often a delivery looks again at its run while another process holds it.</summary>
    private static readonly TimeSpan HeldRunLook = TimeSpan.FromSeconds(1);

    /// <summary>The lease owner that creates a child run: unique to the run, so no live runtime ever holds it.</summary>
    private static string OwnerFor(string runId) => "event-delivery:" + runId;

    private static async ValueTask<bool> ExistsAsync(IRunStore store, string runId)
    {
        try
        {
            return await store.GetRunAsync(runId, CancellationToken.None).ConfigureAwait(false) is not null;
        }
        catch (Exception)
        {
            return false;
        }
    }
}
