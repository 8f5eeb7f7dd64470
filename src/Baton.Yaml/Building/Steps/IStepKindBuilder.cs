using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>Makes the engine step of one step kind of a workflow file (without the common options, which the document builder applies).</summary>
internal interface IStepKindBuilder
{
    /// <summary>The definition type it builds.</summary>
    Type Definition { get; }

    /// <summary>The step for <paramref name="step"/>, whose id it keeps.</summary>
    Step Build(WorkflowDocumentBuilder builder, StepDefinition step);
}

/// <summary>An <see cref="IStepKindBuilder"/> for one definition type.</summary>
internal abstract class StepKindBuilder<T> : IStepKindBuilder
    where T : StepDefinition
{
    public Type Definition => typeof(T);

    public Step Build(WorkflowDocumentBuilder builder, StepDefinition step) => Build(builder, (T)step);

    protected abstract Step Build(WorkflowDocumentBuilder builder, T step);
}
