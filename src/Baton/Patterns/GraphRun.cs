namespace Baton;

/// <summary>
/// Executes one graph step on the engine's <see cref="ChildScheduler"/>: every node is a child scope that starts as
/// soon as the nodes it depends on have all completed, on an input built from their outputs; the first failure
/// stops the others. There are no supersteps: the only waiting is on dependencies.
/// </summary>
internal static class GraphRun
{
    public static async ValueTask<AgentResult> RunAsync(StepContext context, GraphNode[] nodes, string? output, int? maxParallel, CancellationToken cancellationToken)
    {
        var run = context.Run;
        if (nodes.Length > run.Limits.MaxFanOut)
        {
            return AgentResult.Failure(new StepError(ErrorKind.Fatal,
                $"graph '{context.StepId}' has {nodes.Length} nodes, over the fan-out limit of {run.Limits.MaxFanOut}") { Code = "fan_out" });
        }

        var positions = new Dictionary<string, int>(nodes.Length, StringComparer.Ordinal);
        for (var i = 0; i < nodes.Length; i++) positions[nodes[i].Id] = i;
        var graphInput = context.Input;
        var children = new ChildScope[nodes.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            var node = nodes[i];
            var dependsOn = node.DependsOn.Select(d => positions[d]).ToArray();
            children[i] = new ChildScope(node.Id, node.Workflow)
            {
                DependsOn = dependsOn,
                BuildInput = outcomes => BuildInput(node, graphInput, dependsOn, outcomes),
            };
        }

        var ended = await ChildScheduler.RunAsync(context, children, maxParallel, stopOnFailure: true, cancellationToken).ConfigureAwait(false);
        if (ended.Halt is { } halt) return halt.ToResult();
        if (ended.FirstFailed >= 0)
        {
            var cause = ended.Outcomes[ended.FirstFailed].Error!;
            return AgentResult.Failure(cause with
            {
                Message = $"node '{nodes[ended.FirstFailed].Id}' failed: {cause.Message}",
                Partial = await ended.PartialAsync(context, children).ConfigureAwait(false),
            });
        }

        if (output is not null)
        {
            var sink = ended.Outcomes[positions[output]];
            return new AgentResult { Output = sink.Output!, Confidence = sink.Confidence };
        }

        return AgentResult.Success(JsonPayloads.Object(nodes.Select((n, i) => new KeyValuePair<string, Payload?>(n.Id, ended.Outcomes[i].Output))));
    }

    /// <summary>The node's input from the graph's input and its dependencies' outputs (all completed when this runs).</summary>
    private static Payload BuildInput(GraphNode node, Payload graphInput, int[] dependsOn, ScopeOutcome[] outcomes)
    {
        var dependencies = new Dictionary<string, Payload>(dependsOn.Length, StringComparer.Ordinal);
        for (var i = 0; i < dependsOn.Length; i++) dependencies[node.DependsOn[i]] = outcomes[dependsOn[i]].Output ?? Payload.Empty;
        var inputs = new GraphNodeInputs(node.Id, graphInput, dependencies);
        return (node.Input ?? GraphNode.DefaultInput)(inputs) ?? Payload.Empty;
    }
}
