using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>`set`: evaluates each expression and writes it to run state; the input passes through.</summary>
internal sealed class SetKindBuilder : StepKindBuilder<SetDefinition>
{
    protected override Step Build(WorkflowDocumentBuilder builder, SetDefinition step) => new AgentStep(Agent.Create(step.Id, (input, context, _) =>
    {
        foreach (var (name, expression) in step.Assignments) context.SetState(name, expression.Evaluate(Templating.Scope(input, input, null, context.State)));
        return new ValueTask<AgentResult>(AgentResult.Success(input));
    }), step.Id);
}
