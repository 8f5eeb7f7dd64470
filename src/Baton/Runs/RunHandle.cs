namespace Baton;

/// <summary>A run in progress: watch its events, cancel it, await its result.</summary>
public sealed class RunHandle
{
    private readonly CancellationTokenSource _cancellation;

    // Created with the handle, so a handle in the active-run table never shows a null Completion,
    // even before the run's task exists.
    private readonly TaskCompletionSource<RunResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal RunHandle(string runId, RunEventLog events, CancellationTokenSource cancellation, RunExecution? execution = null)
    {
        RunId = runId;
        EventLog = events;
        _cancellation = cancellation;
        Execution = execution;
    }

    internal RunExecution? Execution { get; }

    /// <summary>The run's id.</summary>
    public string RunId { get; }

    /// <summary>Completes with the run's result; never faults: failures are in the result.</summary>
    /// <remarks>
    /// The task exists from the moment the handle does. The runtime attaches the run's task by
    /// assigning it (internally); the task read here is the handle's own and then follows that run.
    /// </remarks>
    public Task<RunResult> Completion
    {
        get => _completion.Task;
        internal set => CompleteFrom(value);
    }

    internal RunEventLog EventLog { get; }

    /// <summary>Makes <see cref="Completion"/> follow <paramref name="run"/>; only the first attached run counts.</summary>
    internal void CompleteFrom(Task<RunResult> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        run.ContinueWith(
            static (task, state) =>
            {
                var completion = (TaskCompletionSource<RunResult>)state!;
                if (task.IsCanceled) completion.TrySetCanceled();
                else if (task.Exception is { } failure) completion.TrySetException(failure.InnerExceptions);
                else completion.TrySetResult(task.Result);
            },
            _completion,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>
    /// The run's events from its start, then new ones as they happen, until it ends. The run keeps only its
    /// latest <see cref="BatonOptions.EventWindow"/> events and never waits for a watcher: a watcher that attaches
    /// later, or falls further behind, reads a <see cref="RunEventsSkippedEvent"/> where the events it missed
    /// were, saying how many. A watcher that attaches at the start and keeps up sees every event.
    /// </summary>
    public IAsyncEnumerable<RunEvent> WatchAsync(CancellationToken cancellationToken = default) => EventLog.ReadAllAsync(cancellationToken);

    /// <summary>The run's latest events so far, oldest first (at most <see cref="BatonOptions.EventWindow"/>).</summary>
    public IReadOnlyList<RunEvent> EventsSoFar => EventLog.Snapshot();

    /// <summary>
    /// Cancels every step in flight; the run ends <see cref="RunStatus.Cancelled"/> with a consistent journal, and
    /// stays cancelled (it cannot be resumed; fork it to go on from one of its steps).
    /// </summary>
    public void Cancel()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run has already ended.
        }
    }

    /// <summary>
    /// Stops the run in this process without ending it, as when its host stops: every step in flight is cancelled,
    /// nothing final is recorded, the lease is given back, and the run stays <see cref="RunStatus.Running"/> in the
    /// store, to be resumed here or by another process. <see cref="Completion"/> then says
    /// <see cref="RunStatus.Running"/> with the error code <c>interrupted</c>.
    /// </summary>
    public void Interrupt()
    {
        Execution?.Interrupt();
        Cancel();
    }
}
