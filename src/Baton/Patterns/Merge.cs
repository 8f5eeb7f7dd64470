using System.Text;

namespace Baton;

/// <summary>How a fan-in turns the branches' results into one output.</summary>
public abstract class Merge
{
    private protected Merge(string name) => Name = name;

    /// <summary>The merge's name, as graphs show it.</summary>
    public string Name { get; }

    /// <summary>A JSON array of the outputs, in branch order (null for a branch that did not succeed).</summary>
    public static Merge List { get; } = new FunctionMerge("list", static branches => JsonPayloads.Array(branches.Select(b => b.Output)));

    /// <summary>A JSON object of the outputs by branch name.</summary>
    public static Merge ByName { get; } = new FunctionMerge("object", static branches =>
        JsonPayloads.Object(branches.Select(b => new KeyValuePair<string, Payload?>(b.Name, b.Output))));

    /// <summary>The succeeded branches' outputs as text, joined by blank lines, in branch order.</summary>
    public static Merge Concat { get; } = new FunctionMerge("concat", static branches =>
    {
        var text = new StringBuilder();
        foreach (var branch in branches.Where(b => b.Status == BranchStatus.Succeeded))
        {
            if (text.Length > 0) text.Append("\n\n");
            text.Append(branch.Output?.AsText());
        }

        return Payload.FromText(text.ToString());
    });

    /// <summary>A merge function of your own; it sees every branch with its status.</summary>
    public static Merge Custom(Func<IReadOnlyList<BranchResult>, Payload> merge, string name = "custom")
    {
        ArgumentNullException.ThrowIfNull(merge);
        return new FunctionMerge(name, merge);
    }

    /// <summary>
    /// An agent merges: it receives a JSON array of <c>{ name, status, output, error }</c> and its
    /// call is journaled like any step.
    /// </summary>
    public static Merge WithAgent(IAgent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return new AgentMerge(agent);
    }

    internal virtual Workflow? ChildWorkflow => null;

    internal abstract ValueTask<AgentResult> MergeAsync(StepContext context, IReadOnlyList<BranchResult> branches, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => Name;

    internal static Payload Describe(IReadOnlyList<BranchResult> branches) => JsonPayloads.Array(branches.Select(b => JsonPayloads.Object(
    [
        new("name", Payload.FromText(b.Name)),
        new("status", Payload.FromText(b.Status.ToString().ToLowerInvariant())),
        new("output", b.Output),
        new("error", b.Error?.ToPayload()),
    ])));

    private sealed class FunctionMerge(string name, Func<IReadOnlyList<BranchResult>, Payload> merge) : Merge(name)
    {
        internal override ValueTask<AgentResult> MergeAsync(StepContext context, IReadOnlyList<BranchResult> branches, CancellationToken cancellationToken)
        {
            var confidence = branches.Count > 0 && branches.All(b => b.Confidence is not null) ? branches.Average(b => b.Confidence!.Value) : (double?)null;
            return new ValueTask<AgentResult>(AgentResult.Success(merge(branches), confidence));
        }
    }

    private sealed class AgentMerge(IAgent agent) : Merge(agent.Name)
    {
        private readonly Workflow _workflow = Workflow.Of(agent);

        internal override Workflow ChildWorkflow => _workflow;

        internal override ValueTask<AgentResult> MergeAsync(StepContext context, IReadOnlyList<BranchResult> branches, CancellationToken cancellationToken) =>
            context.RunChildAsync(_workflow, "merge", Describe(branches), cancellationToken);
    }
}
