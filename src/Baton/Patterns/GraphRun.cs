using System.Runtime.ExceptionServices;

namespace Baton;

/// <summary>
/// Executes one graph step: a scheduler that starts every node whose dependencies have all
/// completed (in node order when several are ready and a bound holds some back), runs each as a
/// child scope, and joins them. The only waiting is on dependencies: there are no supersteps.
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
        var waitingFor = new int[nodes.Length];
        var dependents = new List<int>[nodes.Length];
        for (var i = 0; i < nodes.Length; i++) dependents[i] = [];
        for (var i = 0; i < nodes.Length; i++)
        {
            waitingFor[i] = nodes[i].DependsOn.Count;
            foreach (var dependency in nodes[i].DependsOn) dependents[positions[dependency]].Add(i);
        }

        var ready = new SortedSet<int>(Enumerable.Range(0, nodes.Length).Where(i => waitingFor[i] == 0));
        var outcomes = new NodeOutcome?[nodes.Length];
        var running = new List<Task<NodeOutcome>>();
        using var siblings = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        NodeOutcome? failed = null;
        NodeOutcome? aborted = null;
        NodeOutcome? unexpected = null;
        NodeOutcome? suspended = null;
        while (true)
        {
            while (!siblings.IsCancellationRequested && ready.Count > 0 && (maxParallel is not { } max || running.Count < max))
            {
                var next = ready.Min;
                ready.Remove(next);
                running.Add(RunNodeAsync(next));
            }

            if (running.Count == 0) break;
            var done = await Task.WhenAny(running).ConfigureAwait(false);
            running.Remove(done);
            // RunNodeAsync turns every exception into an outcome, so this never throws.
            var outcome = await done.ConfigureAwait(false);
            outcomes[outcome.Index] = outcome;
            switch (outcome.Status)
            {
                case BranchStatus.Succeeded:
                    foreach (var dependent in dependents[outcome.Index])
                    {
                        if (--waitingFor[dependent] == 0) ready.Add(dependent);
                    }

                    break;
                case BranchStatus.Failed when outcome.Aborted is not null:
                    aborted ??= outcome;
                    siblings.Cancel();
                    break;
                case BranchStatus.Failed when outcome.Unexpected is not null:
                    unexpected ??= outcome;
                    siblings.Cancel();
                    break;
                case BranchStatus.Failed:
                    // A node that fails after the others were cancelled (an agent that turned its
                    // cancellation into an error) was cancelled, not the cause.
                    if (failed is null && !siblings.IsCancellationRequested)
                    {
                        failed = outcome;
                        siblings.Cancel();
                    }

                    break;
                default:
                    // Cancelled, or waiting for a person: what depends on it stays waiting.
                    if (outcome.Suspended is not null) suspended ??= outcome;
                    break;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (aborted is not null) ExceptionDispatchInfo.Throw(aborted.Aborted!);
        if (unexpected is not null) ExceptionDispatchInfo.Throw(unexpected.Unexpected!);
        if (failed is not null) return await FailAsync(context, nodes, outcomes, failed).ConfigureAwait(false);
        // A node waiting for a person suspends the run once the others have got as far as they
        // can: what they completed is journaled and replays on resume.
        if (suspended is not null) ExceptionDispatchInfo.Throw(suspended.Suspended!);

        if (output is not null)
        {
            var sink = outcomes[positions[output]]!;
            return new AgentResult { Output = sink.Output!, Confidence = sink.Confidence };
        }

        return AgentResult.Success(JsonPayloads.Object(nodes.Select((n, i) => new KeyValuePair<string, Payload?>(n.Id, outcomes[i]!.Output))));

        async Task<NodeOutcome> RunNodeAsync(int index)
        {
            var node = nodes[index];
            try
            {
                Payload input;
                try
                {
                    input = BuildInput(node, context.Input, nodes, outcomes, positions);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    var error = new StepError(ErrorKind.Recoverable, $"the input of node '{node.Id}' could not be built: {ex.Message}", node.Id)
                    {
                        Code = "node_input",
                        ExceptionType = ex.GetType().FullName,
                    };
                    return new NodeOutcome(index, BranchStatus.Failed) { Error = error };
                }

                var (result, confidence) = await run.RunScopeAsync(node.Workflow, input, context.ChildPrefix(node.Id), siblings.Token).ConfigureAwait(false);
                return new NodeOutcome(index, BranchStatus.Succeeded) { Output = result, Confidence = confidence };
            }
            catch (StepFailedException failure)
            {
                return new NodeOutcome(index, BranchStatus.Failed) { Error = failure.Error };
            }
            catch (RunSuspendedException suspension)
            {
                return new NodeOutcome(index, BranchStatus.Cancelled) { Suspended = suspension };
            }
            catch (RunAbortedException abort)
            {
                return new NodeOutcome(index, BranchStatus.Failed) { Error = abort.Error, Aborted = abort };
            }
            catch (OperationCanceledException) when (siblings.IsCancellationRequested)
            {
                return new NodeOutcome(index, BranchStatus.Cancelled);
            }
            catch (Exception ex)
            {
                // A store failure or an engine bug: the others are stopped and it is rethrown once
                // they have all ended, so no node keeps running (and committing) after the run failed.
                return new NodeOutcome(index, BranchStatus.Failed) { Unexpected = ex };
            }
        }
    }

    /// <summary>The node's input from the graph's input and its dependencies' outputs (all completed when this runs).</summary>
    private static Payload BuildInput(GraphNode node, Payload graphInput, GraphNode[] nodes, NodeOutcome?[] outcomes, Dictionary<string, int> positions)
    {
        var dependencies = new Dictionary<string, Payload>(node.DependsOn.Count, StringComparer.Ordinal);
        foreach (var dependency in node.DependsOn) dependencies[dependency] = outcomes[positions[dependency]]!.Output ?? Payload.Empty;
        var inputs = new GraphNodeInputs(node.Id, graphInput, dependencies);
        return (node.Input ?? GraphNode.DefaultInput)(inputs) ?? Payload.Empty;
    }

    /// <summary>
    /// The step's failure: the node that failed first is the cause; the partial results are the
    /// completed nodes' outputs by id, and, for a node that stopped part-way, the outputs of the
    /// steps it completed (nothing computed is lost).
    /// </summary>
    private static async ValueTask<AgentResult> FailAsync(StepContext context, GraphNode[] nodes, NodeOutcome?[] outcomes, NodeOutcome failed)
    {
        var properties = new List<KeyValuePair<string, Payload?>>();
        for (var i = 0; i < nodes.Length; i++)
        {
            if (outcomes[i] is not { } outcome) continue;
            if (outcome.Status == BranchStatus.Succeeded)
            {
                properties.Add(new(nodes[i].Id, outcome.Output));
                continue;
            }

            var done = await context.Run.ScopeOutputsAsync(context.ChildPrefix(nodes[i].Id)).ConfigureAwait(false);
            if (done.Count > 0) properties.Add(new(nodes[i].Id, JsonPayloads.Object(done)));
        }

        var cause = failed.Error!;
        return AgentResult.Failure(cause with
        {
            Message = $"node '{nodes[failed.Index].Id}' failed: {cause.Message}",
            Partial = JsonPayloads.Object(properties),
        });
    }

    /// <summary>How one node ended.</summary>
    private sealed record NodeOutcome(int Index, BranchStatus Status)
    {
        public Payload? Output { get; init; }

        public double? Confidence { get; init; }

        public StepError? Error { get; init; }

        public RunSuspendedException? Suspended { get; init; }

        public RunAbortedException? Aborted { get; init; }

        public Exception? Unexpected { get; init; }
    }
}
