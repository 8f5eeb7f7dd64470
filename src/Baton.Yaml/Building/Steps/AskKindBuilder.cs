using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>`ask`: the engine's ask step with the rendered prompt, its choices and its timeout.</summary>
internal sealed class AskKindBuilder : StepKindBuilder<AskDefinition>
{
    protected override Step Build(WorkflowDocumentBuilder builder, AskDefinition step) =>
        new AskStep(step.Id, (input, state) => new HumanQuestion(Templating.Render(step.Prompt, input, state), step.Choices.Count == 0 ? null : step.Choices) { Timeout = step.AnswerTimeout });
}
