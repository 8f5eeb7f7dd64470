using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>`handoff`: the engine's handoff step over the file's agents.</summary>
internal sealed class HandoffKindBuilder : StepKindBuilder<HandoffDefinition>
{
    protected override Step Build(WorkflowDocumentBuilder builder, HandoffDefinition step)
    {
        var handoff = new HandoffBuilder(step.Id).StartWith(step.Start).MaxHandoffs(step.MaxHandoffs);
        foreach (var agent in step.Agents)
        {
            handoff.Agent(new HandoffAgent(agent.Name, builder.Agents.Callable(agent.Agent), agent.To) { Description = agent.Description });
        }

        return handoff.BuildStep(step.Id);
    }
}
