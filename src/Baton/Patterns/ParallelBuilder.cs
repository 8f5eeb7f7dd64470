namespace Baton;

/// <summary>
/// Fan-out/fan-in over fixed branches: every branch gets the same input, they run at once, and
/// one join merges their results (list, by name, concatenated, a function, or an agent).
/// </summary>
public sealed class ParallelBuilder
{
    private readonly string _name;
    private readonly List<(string, Workflow)> _branches = [];
    private Merge _merge = Merge.List;
    private int? _maxParallel;
    private BranchFailureMode _failureMode;
    private RunLimits? _limits;

    /// <summary>Starts a fan-out called <paramref name="name"/>.</summary>
    public ParallelBuilder(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _name = name;
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

    /// <summary>Bounds how many branches run at once.</summary>
    public ParallelBuilder MaxParallel(int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        _maxParallel = max;
        return this;
    }

    /// <summary>Sets what a failing branch does (fail the step by default).</summary>
    public ParallelBuilder OnBranchFailure(BranchFailureMode mode)
    {
        _failureMode = mode;
        return this;
    }

    /// <summary>Sets the limits runs of this workflow get.</summary>
    public ParallelBuilder WithLimits(RunLimits limits)
    {
        _limits = limits;
        return this;
    }

    /// <summary>The fan-out as a step, to place inside another workflow.</summary>
    public ParallelStep BuildStep(string? id = null) =>
        new(id ?? _name, _branches.ToArray()) { Merge = _merge, MaxParallel = _maxParallel, OnBranchFailure = _failureMode };

    /// <summary>The fan-out as a workflow of its own.</summary>
    public Workflow Build()
    {
        var builder = new WorkflowBuilder(_name).AddStep(BuildStep());
        if (_limits is not null) builder.WithLimits(_limits);
        return builder.Build();
    }

    /// <summary>
    /// A decomposer splits the input into items (a JSON array), a worker handles each at once,
    /// and the results are merged in item order.
    /// </summary>
    public static Workflow ForEach(string name, IAgent decomposer, IAgent worker, Merge? merge = null, int? maxParallel = null, RunLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(decomposer);
        ArgumentNullException.ThrowIfNull(worker);
        var body = Workflow.Of(worker);
        var builder = new WorkflowBuilder(name)
            .AddStep(decomposer, "decompose")
            .AddStep(new ForEachStep("foreach", body) { Merge = merge ?? Merge.List, MaxParallel = maxParallel })
            .AddEdge("decompose", "foreach");
        if (limits is not null) builder.WithLimits(limits);
        return builder.Build();
    }
}
