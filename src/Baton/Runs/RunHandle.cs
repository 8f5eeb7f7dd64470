namespace Baton;

/// <summary>A run in progress: watch its events, cancel it, await its result.</summary>
public sealed class RunHandle
{
    private readonly CancellationTokenSource _cancellation;

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
    public Task<RunResult> Completion { get; internal set; } = null!;

    internal RunEventLog EventLog { get; }

    /// <summary>Every event of the run from its start, then new ones as they happen, until it ends.</summary>
    public IAsyncEnumerable<RunEvent> WatchAsync(CancellationToken cancellationToken = default) => EventLog.ReadAllAsync(cancellationToken);

    /// <summary>Events so far.</summary>
    public IReadOnlyList<RunEvent> EventsSoFar => EventLog.Snapshot();

    /// <summary>Cancels every step in flight; the run ends <see cref="RunStatus.Cancelled"/> with a consistent journal.</summary>
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
}
