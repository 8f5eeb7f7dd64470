namespace Baton;

/// <summary>
/// Fan-out/fan-in over fixed branches: every branch gets the same input, they run at once, and
/// one join merges their results (list, by name, concatenated, a function, or an agent).
/// </summary>
public sealed class ParallelBuilder : StepPatternBuilder<ParallelBuilder, ParallelStep>
{
    private readonly List<(string, Workflow)> _branches = [];
    private Merge _merge = Merge.List;
    private BranchFailureMode _failureMode;

    /// <summary>Starts a fan-out called <paramref name="name"/>.</summary>
    public ParallelBuilder(string name)
        : base(name)
    {
    }

    /// <summary>Adds a branch that runs one agent; it is named after the agent unless named here.</summary>
    public ParallelBuilder Branch(IAgent agent, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var workflow = Workflow.Of(agent);
        return Branch(name ?? agent.Name, workflow);
    }

    /// <summary>Adds a branch that runs a whole workflow.</summary>
    public ParallelBuilder Branch(string name, Workflow workflow)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(workflow);
        _branches.Add((name, workflow));
        return this;
    }

    /// <summary>Sets how the results are joined (a list in branch order by default).</summary>
    public ParallelBuilder MergeWith(Merge merge)
    {
        _merge = merge ?? throw new ArgumentNullException(nameof(merge));
        return this;
    }

    /// <summary>Sets what a failing branch does (fail the step by default).</summary>
    public ParallelBuilder OnBranchFailure(BranchFailureMode mode)
    {
        _failureMode = mode;
        return this;
    }

    /// <summary>The fan-out as a step, to place inside another workflow; <see cref="PatternBuilder{TBuilder}.MaxParallel"/> bounds how many branches run at once.</summary>
    public override ParallelStep BuildStep(string? id = null) =>
        new(id ?? Name, _branches.ToArray()) { Merge = _merge, MaxParallel = ParallelBound, OnBranchFailure = _failureMode };

    private protected override bool MaxParallelBoundsItsStep => true;

    /// <summary>
    /// A decomposer splits the input into items (a JSON array), a worker handles each at once,
    /// and the results are merged in item order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxParallel"/> is 0 or negative.</exception>
    public static Workflow ForEach(string name, IAgent decomposer, IAgent worker, Merge? merge = null, int? maxParallel = null, RunLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(decomposer);
        ArgumentNullException.ThrowIfNull(worker);
        if (maxParallel is { } max) CheckMaxParallel(max, nameof(maxParallel));
        var body = Workflow.Of(worker);
        var builder = new WorkflowBuilder(name)
            .AddStep(decomposer, "decompose")
            .AddStep(new ForEachStep("foreach", body) { Merge = merge ?? Merge.List, MaxParallel = maxParallel })
            .AddEdge("decompose", "foreach");
        if (limits is not null) builder.WithLimits(limits);
        return builder.Build();
    }
}
