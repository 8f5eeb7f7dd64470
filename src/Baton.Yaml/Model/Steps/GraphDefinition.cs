namespace Baton.Yaml.Model.Steps;

/// <summary><c>graph</c>: a dependency graph of named nodes.</summary>
/// <param name="Nodes">The nodes, in file order (the order ready nodes start in).</param>
/// <param name="Output">The node whose output is the step's (the last listed unless the file names one).</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record GraphDefinition(IReadOnlyList<GraphNodeDefinition> Nodes, string Output, int Line, int Column) : StepDefinition(Line, Column);
