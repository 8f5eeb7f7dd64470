namespace Baton;

/// <summary>
/// Runs a dependency graph (DAG) of nodes as dataflow: a node starts the moment every node it
/// depends on has completed, so independent nodes run at once and no node waits for an unrelated
/// one. Each node is a child scope journaled under <c>stepKey/nodeId/</c>, so a resumed run
/// replays the nodes that completed. A node that fails cancels the others and fails the step;
/// the outputs of the completed nodes are its partial results.
/// </summary>
public sealed class GraphStep : Step
{
    private readonly GraphNode[]? _nodes;
    private readonly Func<Payload, GraphBuilder>? _build;

    /// <summary>Creates a step over a fixed graph.</summary>
    /// <param name="id">The step's id.</param>
    /// <param name="nodes">The nodes; their order is the order ready nodes start in.</param>
    /// <param name="output">The node whose output is the step's; null for every node's output by id.</param>
    /// <exception cref="WorkflowValidationException">Duplicate ids, unknown dependencies, cycles or an unknown output node; all are listed.</exception>
    public GraphStep(string id, IReadOnlyList<GraphNode> nodes, string? output = null)
        : base(id)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var problems = FindProblems(nodes, output);
        if (problems.Count > 0) throw new WorkflowValidationException(id, problems);
        _nodes = nodes.ToArray();
        Output = output;
    }

    /// <summary>
    /// Creates a step whose graph is made at run time from the step's input (a plan, a list of
    /// tasks): <paramref name="build"/> must give the same graph for the same input, so a resumed
    /// run finds the nodes it completed. A graph that is not valid fails the step (code <c>invalid_graph</c>).
    /// </summary>
    public GraphStep(string id, Func<Payload, GraphBuilder> build)
        : base(id)
    {
        ArgumentNullException.ThrowIfNull(build);
        _build = build;
    }

    /// <summary>The nodes of a fixed graph, in order; empty for a graph made from the input.</summary>
    public IReadOnlyList<GraphNode> Nodes => _nodes ?? [];

    /// <summary>True when the graph is made at run time from the step's input.</summary>
    public bool IsBuiltFromInput => _build is not null;

    /// <summary>The node whose output is the step's; null for every node's output by id.</summary>
    public string? Output { get; }

    /// <summary>Nodes that may run at once (the run's limit applies too); null for all that are ready.</summary>
    public int? MaxParallel
    {
        get;
        init => field = RunLimits.CheckParallel(value, nameof(MaxParallel));
    }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Workflow Workflow)> Children => Nodes.Select(n => (n.Id, n.Workflow));

    internal override ValueTask<AgentResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        if (_nodes is not null) return GraphRun.RunAsync(context, _nodes, Output, MaxParallel, cancellationToken);
        GraphNode[] nodes;
        string? output;
        int? maxParallel;
        try
        {
            (nodes, output, maxParallel) = _build!(context.Input).Snapshot();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new ValueTask<AgentResult>(AgentResult.Failure(new StepError(ErrorKind.Recoverable,
                $"graph '{Id}' could not be made from its input: {ex.Message}", Id) { Code = "invalid_graph", ExceptionType = ex.GetType().FullName }));
        }

        var problems = FindProblems(nodes, output);
        if (problems.Count > 0)
        {
            return new ValueTask<AgentResult>(AgentResult.Failure(new StepError(ErrorKind.Recoverable,
                $"the graph made from the input of '{Id}' is not valid: {string.Join("; ", problems)}", Id) { Code = "invalid_graph" }));
        }

        return GraphRun.RunAsync(context, nodes, output, MaxParallel ?? maxParallel, cancellationToken);
    }

    /// <summary>Every problem with a graph: no nodes, duplicate ids, unknown dependencies or output, cycles (each named once).</summary>
    internal static IReadOnlyList<string> FindProblems(IReadOnlyList<GraphNode> nodes, string? output)
    {
        var problems = new List<string>();
        if (nodes.Count == 0) problems.Add("the graph has no nodes");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (!ids.Add(node.Id)) problems.Add($"node id '{node.Id}' is used twice");
        }

        foreach (var node in nodes)
        {
            foreach (var dependency in node.DependsOn)
            {
                if (dependency == node.Id) problems.Add($"node '{node.Id}' depends on itself");
                else if (!ids.Contains(dependency)) problems.Add($"node '{node.Id}' depends on unknown node '{dependency}'{WorkflowBuilder.Suggest(dependency, ids)}");
            }
        }

        if (output is not null && !ids.Contains(output)) problems.Add($"the output node '{output}' does not exist{WorkflowBuilder.Suggest(output, ids)}");
        foreach (var cycle in FindCycles(nodes)) problems.Add($"the nodes form a cycle (each waits for the one before it): {string.Join(" -> ", cycle)}");
        return problems;
    }

    /// <summary>
    /// The cycles among the nodes, each as a path that ends where it starts (a -> b -> a), found by
    /// a depth-first walk along dependencies in node order, so the report is deterministic.
    /// Self-dependencies are reported on their own; a node in a reported cycle starts no other.
    /// </summary>
    private static List<string[]> FindCycles(IReadOnlyList<GraphNode> nodes)
    {
        var byId = new Dictionary<string, GraphNode>(StringComparer.Ordinal);
        foreach (var node in nodes) byId.TryAdd(node.Id, node);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1: on the current path, 2: done
        var path = new List<string>();
        var cycles = new List<string[]>();
        foreach (var node in nodes) Visit(node.Id);
        return cycles;

        void Visit(string id)
        {
            if (state.TryGetValue(id, out var seen) && seen != 0) return;
            state[id] = 1;
            path.Add(id);
            foreach (var dependency in byId[id].DependsOn)
            {
                if (dependency == id || !byId.ContainsKey(dependency)) continue;
                var dependencyState = state.GetValueOrDefault(dependency);
                if (dependencyState == 1)
                {
                    // Written in the order things run: the dependency first, then what waits on it.
                    var start = path.IndexOf(dependency);
                    var cycle = path.Skip(start).Append(dependency).Reverse().ToArray();
                    cycles.Add(cycle);
                }
                else if (dependencyState == 0)
                {
                    Visit(dependency);
                }
            }

            path.RemoveAt(path.Count - 1);
            state[id] = 2;
        }
    }
}
