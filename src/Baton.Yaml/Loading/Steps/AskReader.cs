using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>`ask: PROMPT`: the prompt is a template.</summary>
internal sealed class AskReader : IStepKindReader
{
    public string Keyword => "ask";

    public IReadOnlyCollection<string> SiblingKeys => [];

    public StepDefinition? Read(StepReader steps, YamlNode value, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> keys) =>
        steps.Nodes.Template(value, "'ask'") is { } prompt ? new AskDefinition(prompt, StepReader.Line(value), StepReader.Column(value)) : null;
}
