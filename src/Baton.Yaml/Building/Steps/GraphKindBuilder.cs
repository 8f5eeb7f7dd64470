using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>
/// `graph`: the engine's graph step, one node per file node (a scope of its step). The engine's default node input is
/// the format's rule: the graph's input without `after`, the one node's output, or an object by node name for several.
/// </summary>
internal sealed class GraphKindBuilder : StepKindBuilder<GraphDefinition>
{
    protected override Step Build(WorkflowDocumentBuilder builder, GraphDefinition step) =>
        new GraphStep(step.Id, [.. step.Nodes.Select(n => new GraphNode(n.Name, builder.Scope(n.Name, [n.Do]), n.After))], step.Output);
}
