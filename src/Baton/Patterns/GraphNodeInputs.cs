namespace Baton;

/// <summary>What a graph node's input is built from.</summary>
/// <param name="NodeId">The node whose input is being built.</param>
/// <param name="GraphInput">The graph step's own input.</param>
/// <param name="Dependencies">The outputs of the nodes it depends on, by node id, in the order they were declared.</param>
public sealed record GraphNodeInputs(string NodeId, Payload GraphInput, IReadOnlyDictionary<string, Payload> Dependencies);
