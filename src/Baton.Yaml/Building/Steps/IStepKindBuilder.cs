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
