using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>An <see cref="IStepKindBuilder"/> for one definition type.</summary>
internal abstract class StepKindBuilder<T> : IStepKindBuilder
    where T : StepDefinition
{
    public Type Definition => typeof(T);

    public Step Build(WorkflowDocumentBuilder builder, StepDefinition step) => Build(builder, (T)step);

    protected abstract Step Build(WorkflowDocumentBuilder builder, T step);
}
