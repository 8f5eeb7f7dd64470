namespace Baton.Yaml.Model.Steps;

/// <summary>A node of a <c>graph</c>: its step and the nodes that must finish first.</summary>
/// <param name="Name">The node's name.</param>
/// <param name="Do">The step it runs.</param>
/// <param name="After">The nodes that must finish before it starts; empty to start at once on the graph's input.</param>
/// <param name="Line">1-based line of its name.</param>
/// <param name="Column">1-based column of its name.</param>
public sealed record GraphNodeDefinition(string Name, StepDefinition Do, IReadOnlyList<string> After, int Line, int Column);
