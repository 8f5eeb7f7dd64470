namespace Baton;

/// <summary>
/// A dependency graph (DAG) of nodes: each node runs as soon as every node it depends on has
/// completed, independent nodes run at once, and the output is every node's output by id (or
/// one chosen node's). <see cref="BuildStep"/> and <see cref="PatternBuilder{TBuilder}.Build"/> validate the graph and
/// report every problem at once: duplicate ids, unknown dependencies, cycles (named).
/// </summary>
public sealed class GraphBuilder : StepPatternBuilder<GraphBuilder, GraphStep>
{
    private readonly List<GraphNode> _nodes = [];
    private string? _output;

    /// <summary>Starts a graph called <paramref name="name"/>.</summary>
    public GraphBuilder(string name)
        : base(name)
    {
    }

    /// <summary>The nodes added so far, in order.</summary>
    public IReadOnlyList<GraphNode> Nodes => _nodes;

    /// <summary>Adds a node that calls <paramref name="agent"/> once <paramref name="dependsOn"/> have completed.</summary>
    /// <param name="id">The node's id.</param>
    /// <param name="agent">What the node runs.</param>
    /// <param name="dependsOn">Nodes that must complete first; none to start at once.</param>
    /// <param name="input">Builds the node's input; null for <see cref="GraphNode.DefaultInput"/>.</param>
    public GraphBuilder Node(string id, IAgent agent, IReadOnlyList<string>? dependsOn = null, Func<GraphNodeInputs, Payload>? input = null) =>
        Node(new GraphNode(id, agent, dependsOn, input));

    /// <summary>Adds a node that runs a whole workflow once <paramref name="dependsOn"/> have completed.</summary>
    /// <param name="id">The node's id.</param>
    /// <param name="workflow">What the node runs.</param>
    /// <param name="dependsOn">Nodes that must complete first; none to start at once.</param>
    /// <param name="input">Builds the node's input; null for <see cref="GraphNode.DefaultInput"/>.</param>
    public GraphBuilder Node(string id, Workflow workflow, IReadOnlyList<string>? dependsOn = null, Func<GraphNodeInputs, Payload>? input = null) =>
        Node(new GraphNode(id, workflow, dependsOn, input));

    /// <summary>Adds a node.</summary>
    public GraphBuilder Node(GraphNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        _nodes.Add(node);
        return this;
    }

    /// <summary>Makes one node's output the graph's output (every node's output by id otherwise).</summary>
    public GraphBuilder Output(string nodeId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        _output = nodeId;
        return this;
    }

    /// <summary>Every problem with the graph as it stands, each a readable sentence; empty when it is valid.</summary>
    public IReadOnlyList<string> Validate() => GraphStep.FindProblems(_nodes, _output);

    /// <summary>The graph as a step, to place inside another workflow; <see cref="PatternBuilder{TBuilder}.MaxParallel"/> bounds how many nodes run at once (the run's <see cref="RunLimits.MaxParallel"/> applies too).</summary>
    /// <exception cref="WorkflowValidationException">The graph has problems; all of them are listed.</exception>
    public override GraphStep BuildStep(string? id = null) =>
        new(id ?? Name, _nodes.ToArray(), _output) { MaxParallel = ParallelBound };

    private protected override bool MaxParallelBoundsItsStep => true;

    internal (GraphNode[] Nodes, string? Output, int? MaxParallel) Snapshot() => (_nodes.ToArray(), _output, ParallelBound);
}
