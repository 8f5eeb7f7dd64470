using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>An agent step naming a workflow agent: its workflow, nested (plain agents are placed by the document builder).</summary>
internal sealed class AgentKindBuilder : StepKindBuilder<AgentStepDefinition>
{
    protected override Step Build(WorkflowDocumentBuilder builder, AgentStepDefinition step) =>
        new AgentStep(builder.Agents.Get(step.Agent) is WorkflowAgentMarker marker ? marker.Workflow.AsAgent() : builder.Agents.Get(step.Agent), step.Id);
}
