namespace Baton;

/// <summary>
/// A node of a workflow graph. Agent steps call an agent; composite steps (parallel, foreach,
/// route, nested workflows) run child workflows whose steps are journaled under the composite's key.
/// </summary>
public abstract class Step
{
    private protected Step(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        StepKey.CheckName(id, "step id", nameof(id));
        Id = id;
    }

    /// <summary>Unique within its workflow; names the step in journals, traces and graphs.</summary>
    public string Id { get; }

    /// <summary>How failures are retried; null for the default (transient errors, 3 attempts; composite steps are not retried).</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>How long one attempt may take, from when it may run; a timed-out attempt is a transient error.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive, or longer than a timer can wait (about 49 days).</exception>
    public TimeSpan? Timeout
    {
        get;
        init => field = value is { } t ? RunLimits.CheckDuration(t, nameof(Timeout)) : null;
    }

    /// <summary>
    /// The named resource (see <see cref="IRunHost.Resources"/>) the step's agent call draws
    /// on: the call waits for the resource's quotas and goes through its circuit breaker. Only
    /// agent steps take one. A name the runtime does not have is refused when a run starts.
    /// </summary>
    public string? Resource { get; init; }

    /// <summary>When the step waits for its <see cref="Resource"/>: higher priorities are served first, in arrival order among equals. 0 by default.</summary>
    public int Priority { get; init; }

    /// <summary>The agent's name, for agent steps.</summary>
    public virtual string? AgentName => null;

    /// <summary>Child workflows this step runs, for validation, graphs and state declarations.</summary>
    public virtual IEnumerable<(string Name, Workflow Workflow)> Children => [];

    /// <summary>True when the step only coordinates children and holds no concurrency slot itself.</summary>
    internal virtual bool IsComposite => true;

    internal RetryPolicy EffectiveRetry => Retry ?? (IsComposite ? RetryPolicy.None : RetryPolicy.Default);

    internal abstract ValueTask<AgentResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => Id;
}
