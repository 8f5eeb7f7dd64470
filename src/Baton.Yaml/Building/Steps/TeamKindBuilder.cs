using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>`team`: the engine's planner-led team over the file's agents, each going by its name in the file.</summary>
internal sealed class TeamKindBuilder : StepKindBuilder<TeamDefinition>
{
    protected override Step Build(WorkflowDocumentBuilder builder, TeamDefinition step) =>
        new TeamBuilder(step.Id)
            .Manager(Named(builder, step.Manager))
            .Members([.. step.Members.Select(m => Named(builder, m))])
            .MaxRounds(step.MaxRounds)
            .BuildStep(step.Id);

    /// <summary>The agent, answering to its name in the file (a workflow from another file is called after that file otherwise).</summary>
    internal static IAgent Named(WorkflowDocumentBuilder builder, string name)
    {
        var agent = builder.Agents.Callable(name);
        return agent.Name == name ? agent : Agent.Create(name, agent.InvokeAsync);
    }
}
