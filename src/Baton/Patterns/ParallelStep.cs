namespace Baton;

/// <summary>A fixed set of branches that run at once and are joined by a <see cref="Merge"/>.</summary>
public sealed class ParallelStep : Step
{
    /// <summary>Creates the step.</summary>
    public ParallelStep(string id, IReadOnlyList<(string Name, Workflow Workflow)> branches)
        : base(id)
    {
        ArgumentNullException.ThrowIfNull(branches);
        if (branches.Count == 0) throw new ArgumentException("a parallel step needs at least one branch", nameof(branches));
        // Branch names become segments of the children's journal keys.
        foreach (var branch in branches) StepKey.CheckName(branch.Name, "branch name", nameof(branches));
        var duplicate = branches.GroupBy(b => b.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"branch name '{duplicate.Key}' is used twice", nameof(branches));
        Branches = branches;
    }

    /// <summary>The branches, in order.</summary>
    public IReadOnlyList<(string Name, Workflow Workflow)> Branches { get; }

    /// <summary>How the branches' results become one output; a list by default.</summary>
    public Merge Merge { get; init; } = Merge.List;

    /// <summary>Branches that may run at once (the run's limit applies too); null for all.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int? MaxParallel
    {
        get;
        init => field = RunLimits.CheckParallel(value, nameof(MaxParallel));
    }

    /// <summary>What a failing branch does to the step.</summary>
    public BranchFailureMode OnBranchFailure { get; init; }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Workflow Workflow)> Children =>
        Merge.ChildWorkflow is { } merge ? [.. Branches, ("merge", merge)] : Branches;

    internal override ValueTask<AgentResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var branches = new (string, Workflow, Payload)[Branches.Count];
        for (var i = 0; i < branches.Length; i++) branches[i] = (Branches[i].Name, Branches[i].Workflow, context.Input);
        return FanOut.RunAsync(context, branches, MaxParallel, Merge, OnBranchFailure, cancellationToken);
    }
}
