using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>`sequential: [steps]`.</summary>
internal sealed class SequentialReader : IStepKindReader
{
    public string Keyword => "sequential";

    public IReadOnlyCollection<string> SiblingKeys => [];

    public StepDefinition? Read(StepReader steps, YamlNode value, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> keys)
    {
        if (steps.Nodes.Sequence(value, "'sequential'") is not { } list) return null;
        if (list.Children.Count == 0) steps.Diagnostics.Add(value, "'sequential' needs at least one step");
        return new SequentialDefinition([.. list.Select(s => steps.ReadStep(s, "'sequential'")).OfType<StepDefinition>()], StepReader.Line(value), StepReader.Column(value));
    }
}
