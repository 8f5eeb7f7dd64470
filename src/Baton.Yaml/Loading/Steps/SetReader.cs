using Baton.Yaml.Expressions;
using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>`set: { NAME: EXPRESSION }`.</summary>
internal sealed class SetReader : IStepKindReader
{
    public string Keyword => "set";

    public IReadOnlyCollection<string> SiblingKeys => [];

    public StepDefinition? Read(StepReader steps, YamlNode value, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> keys)
    {
        var nodes = steps.Nodes;
        if (nodes.Mapping(value, "'set'") is not { } mapping) return null;
        var assignments = new List<(string, Expression)>();
        foreach (var (nameNode, expressionNode) in mapping.Children)
        {
            if (nodes.Name(nameNode, "a state name") is { } name && nodes.Expression(expressionNode, $"'set' of '{name}'") is { } expression) assignments.Add((name, expression));
        }

        return new SetDefinition(assignments, StepReader.Line(value), StepReader.Column(value));
    }
}
