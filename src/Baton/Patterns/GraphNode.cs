namespace Baton;

/// <summary>
/// One node of a <see cref="GraphStep"/>: a workflow (often one agent) that runs once all the
/// nodes it depends on have completed, with an input built from the graph's input and their outputs.
/// </summary>
public sealed class GraphNode
{
    /// <summary>Creates a node that runs <paramref name="workflow"/>.</summary>
    /// <param name="id">Unique in its graph; it names the node's journal scope, so it follows <see cref="StepKey.CheckName"/>'s rule.</param>
    /// <param name="workflow">What the node runs.</param>
    /// <param name="dependsOn">Ids of the nodes that must complete first; none to start at once.</param>
    /// <param name="input">Builds the node's input; null for the default (see <see cref="DefaultInput"/>).</param>
    public GraphNode(string id, Workflow workflow, IReadOnlyList<string>? dependsOn = null, Func<GraphNodeInputs, Payload>? input = null)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(workflow);
        // The id becomes a segment of the children's journal keys.
        StepKey.CheckName(id, "node id", nameof(id));
        if (dependsOn is not null && dependsOn.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException($"node '{id}' depends on an empty id", nameof(dependsOn));
        Id = id;
        Workflow = workflow;
        DependsOn = dependsOn is null ? [] : dependsOn.Distinct(StringComparer.Ordinal).ToArray();
        Input = input;
    }

    /// <summary>Creates a node that calls one agent.</summary>
    public GraphNode(string id, IAgent agent, IReadOnlyList<string>? dependsOn = null, Func<GraphNodeInputs, Payload>? input = null)
        : this(id, Workflow.Of(agent ?? throw new ArgumentNullException(nameof(agent))), dependsOn, input)
    {
    }

    /// <summary>The node's id.</summary>
    public string Id { get; }

    /// <summary>What the node runs.</summary>
    public Workflow Workflow { get; }

    /// <summary>Ids of the nodes that must complete before this one starts, without repeats.</summary>
    public IReadOnlyList<string> DependsOn { get; }

    /// <summary>Builds the node's input; null for <see cref="DefaultInput"/>.</summary>
    public Func<GraphNodeInputs, Payload>? Input { get; }

    /// <summary>
    /// The input a node gets without an input builder: the graph's input when it depends on
    /// nothing, its dependency's output when it depends on one node, else a JSON object of its
    /// dependencies' outputs by node id.
    /// </summary>
    public static Payload DefaultInput(GraphNodeInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return inputs.Dependencies.Count switch
        {
            0 => inputs.GraphInput,
            1 => inputs.Dependencies.Values.First(),
            _ => JsonPayloads.Object(inputs.Dependencies.Select(d => new KeyValuePair<string, Payload?>(d.Key, d.Value))),
        };
    }

    /// <inheritdoc/>
    public override string ToString() => Id;
}
