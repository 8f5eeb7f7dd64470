namespace Baton.Orleans;

/// <summary>
/// Hands runs to a cluster's workers and follows them: from a silo of the cluster or from a client of it. Every call is
/// retried while a dead worker is being declared dead, so a run started here survives its worker's death. As an
/// <see cref="IRunExecutor"/>, it makes a Baton HTTP server hand its runs to the cluster (<c>baton serve --cluster</c>).
/// </summary>
/// <param name="grains">The cluster's grain factory (an <c>IClusterClient</c>, or a silo's <c>IGrainFactory</c>).</param>
/// <param name="timeProvider">The clock for retry delays and deadlines (the system clock when null).</param>
public sealed class BatonCluster(IGrainFactory grains, TimeProvider? timeProvider = null) : IRunExecutor
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>
    /// How long a call keeps being retried while the cluster settles (a worker dies, joins or leaves): 3 minutes by
    /// default, because a cluster on a loaded machine was seen taking over 90 s to declare a killed worker dead, and a
    /// follower that gave up sooner lost sight of runs that went on. Cancel the call to stop sooner.
    /// </summary>
    public TimeSpan RetryFor { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>How long one waiting call blocks before it is made again (below Orleans' response timeout, 30 s by default).</summary>
    public TimeSpan WaitSlice { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Records a run of <paramref name="workflow"/> and starts it on a worker able to run it (one advertising every
    /// capability its steps' resources need); returns once the run is stored, so no worker's death can lose it.
    /// The workers must know the workflow by name, or rebuild it from <see cref="RunOptions.Definition"/>.
    /// </summary>
    /// <returns>The run's id.</returns>
    public async Task<string> StartAsync(Workflow workflow, Payload? input = null, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var runId = options?.RunId ?? Guid.CreateVersion7().ToString("N");
        var (text, isJson) = ClusterRunStart.FromPayload(input);
        var start = new ClusterRunStart
        {
            Workflow = workflow.Name,
            Input = text,
            InputIsJson = isJson,
            Definition = options?.Definition,
            Source = options?.Source,
            ParentRunId = options?.ParentRunId,
        };
        var resources = string.Join(',', WorkflowResources.Of(workflow));
        var grain = grains.GetGrain<IRunGrain>(runId);
        await GrainCallRetry.RunAsync(() =>
        {
            // Read by the placement director when the grain is first activated: the run is not stored yet.
            RequestContext.Set(CapabilityPlacement.ResourcesKey, resources);
            try
            {
                return grain.StartAsync(start);
            }
            finally
            {
                RequestContext.Remove(CapabilityPlacement.ResourcesKey);
            }
        }, RetryFor, _time, cancellationToken).ConfigureAwait(false);
        return runId;
    }

    /// <summary>
    /// Waits until the run settles — ends, or waits for a person — wherever it executes, making sure on the way that a
    /// live worker executes it. Cancelling stops waiting, not the run.
    /// </summary>
    public async Task<ClusterRunState> WaitAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        var grain = grains.GetGrain<IRunGrain>(runId);
        while (true)
        {
            var state = await GrainCallRetry.RunAsync(() => grain.WaitAsync(WaitSlice), RetryFor, _time, cancellationToken).ConfigureAwait(false);
            if (state.IsSettled) return state;
        }
    }

    /// <summary>Starts a run and waits for it to settle (<see cref="StartAsync"/>, then <see cref="WaitAsync"/>).</summary>
    public async Task<ClusterRunState> RunAsync(Workflow workflow, Payload? input = null, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        var runId = await StartAsync(workflow, input, options, cancellationToken).ConfigureAwait(false);
        return await WaitAsync(runId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Answers a waiting run's open question, wherever the run is: the run continues on a worker. Returns null when the
    /// answer was accepted, else why it was refused (the run keeps waiting). The call is retried while a worker is
    /// being declared dead, so it may arrive twice: the same answer to the question the run last got answered is taken
    /// again (null), not refused.
    /// </summary>
    public Task<string?> AnswerAsync(string runId, string value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentNullException.ThrowIfNull(value);
        var grain = grains.GetGrain<IRunGrain>(runId);
        return GrainCallRetry.RunAsync(() => grain.AnswerAsync(value), RetryFor, _time, cancellationToken);
    }

    /// <summary>Cancels a run for good, wherever it executes.</summary>
    public Task CancelAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        var grain = grains.GetGrain<IRunGrain>(runId);
        return GrainCallRetry.RunAsync(async () => { await grain.CancelAsync().ConfigureAwait(false); return true; }, RetryFor, _time, cancellationToken);
    }

    /// <summary>
    /// Makes sure a run of the cluster executes when it should: a worker continues it from its journal when nobody alive
    /// holds it (a waiting run stays waiting); returns where it stands.
    /// </summary>
    public Task<ClusterRunState> EnsureRunningAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        var grain = grains.GetGrain<IRunGrain>(runId);
        return GrainCallRetry.RunAsync(grain.EnsureRunningAsync, RetryFor, _time, cancellationToken);
    }

    /// <inheritdoc/>
    Task IRunExecutor.ResumeAsync(string runId, CancellationToken cancellationToken) => EnsureRunningAsync(runId, cancellationToken);
}
