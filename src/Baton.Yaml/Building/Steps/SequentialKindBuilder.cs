using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>`sequential`: a nested workflow of the steps in a chain.</summary>
internal sealed class SequentialKindBuilder : StepKindBuilder<SequentialDefinition>
{
    protected override Step Build(WorkflowDocumentBuilder builder, SequentialDefinition step) => new AgentStep(builder.Scope(step.Id, step.Steps).AsAgent(), step.Id);
}
