using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>`groupChat`: the engine's group chat step; `until` runs over the last message (<c>output</c>) and <c>turn</c>.</summary>
internal sealed class GroupChatKindBuilder : StepKindBuilder<GroupChatDefinition>
{
    protected override Step Build(WorkflowDocumentBuilder builder, GroupChatDefinition step)
    {
        var chat = new GroupChatBuilder(step.Id)
            .Members([.. step.Members.Select(builder.Agents.Callable)])
            .MaxTurns(step.MaxTurns)
            .OnMemberFailure(step.ContinueOnMemberError ? MemberFailure.Continue : MemberFailure.Fail);
        if (step.Manager is { } manager) chat.Manager(builder.Agents.Callable(manager));
        if (step.Until is { } until)
        {
            chat.Until(progress => until.EvaluateBoolean(Templating.Scope(progress.Transcript.Task, progress.Output, null, progress.State) with { Turn = progress.Turn }));
        }

        return chat.BuildStep(step.Id);
    }
}
