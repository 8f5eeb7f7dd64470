namespace Baton;

/// <summary>
/// What every pattern builder shares: its name, the limits runs of the workflow it builds get, a bound on
/// how much of it runs at once, and <see cref="Build"/>. A pattern only says how it composes its graph.
/// </summary>
/// <typeparam name="TBuilder">The pattern's own builder, so the shared setters chain into its methods.</typeparam>
public abstract class PatternBuilder<TBuilder>
    where TBuilder : PatternBuilder<TBuilder>
{
    private RunLimits? _limits;
    private int? _maxParallel;

    // Only Baton's patterns derive from it: a pattern is a builder over the one graph, not an extension point.
    private protected PatternBuilder(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The pattern's name: the built workflow's name, and the step id its step gets by default.</summary>
    public string Name { get; }

    /// <summary>Sets the limits runs of the workflow <see cref="Build"/> makes get (the runtime's defaults otherwise).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range (e.g. <see cref="RunLimits.MaxParallel"/> below 1).</exception>
    public TBuilder WithLimits(RunLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        _limits = limits;
        return (TBuilder)this;
    }

    /// <summary>
    /// Bounds how much runs at once: a fan-out's branches, a graph's nodes, a vote's voters. For patterns that
    /// run one step after another (sequential, state machine, manager-worker) it bounds the agents a run of the
    /// built workflow calls at once: the workflow's <see cref="RunLimits.MaxParallel"/>, over the limits of
    /// <see cref="WithLimits"/> (or <see cref="RunLimits.Default"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="max"/> is 0 or negative.</exception>
    public TBuilder MaxParallel(int max)
    {
        CheckMaxParallel(max, nameof(max));
        _maxParallel = max;
        return (TBuilder)this;
    }

    /// <summary>Validates and builds the pattern as a workflow of its own; the builder can go on and build again.</summary>
    /// <exception cref="WorkflowValidationException">The graph has problems; all of them are listed.</exception>
    /// <exception cref="InvalidOperationException">The pattern lacks a part it needs (e.g. a classifier, a voter).</exception>
    public Workflow Build()
    {
        var builder = Compose();
        var limits = _maxParallel is { } max && !MaxParallelBoundsItsStep ? (_limits ?? RunLimits.Default) with { MaxParallel = max } : _limits;
        if (limits is not null) builder.WithLimits(limits);
        return builder.Build();
    }

    /// <summary>The bound of <see cref="MaxParallel"/>, or null when none was set.</summary>
    private protected int? ParallelBound => _maxParallel;

    /// <summary>True when the pattern's own step applies <see cref="MaxParallel"/>; false to make it the run's limit.</summary>
    private protected virtual bool MaxParallelBoundsItsStep => false;

    /// <summary>The pattern's graph in a fresh builder, without limits (<see cref="Build"/> adds them).</summary>
    private protected abstract WorkflowBuilder Compose();

    /// <summary>Refuses a bound on parallel work below 1.</summary>
    private protected static void CheckMaxParallel(int max, string paramName)
    {
        if (max < 1) throw new ArgumentOutOfRangeException(paramName, max, "MaxParallel must be at least 1");
    }
}
