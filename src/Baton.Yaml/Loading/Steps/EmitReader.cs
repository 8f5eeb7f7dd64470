using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>`emit: { topic, data }`: the topic is a template, and so is every string of the data.</summary>
internal sealed class EmitReader : IStepKindReader
{
    public string Keyword => "emit";

    public IReadOnlyCollection<string> SiblingKeys => [];

    public StepDefinition? Read(StepReader steps, YamlNode value, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> stepKeys)
    {
        var nodes = steps.Nodes;
        if (nodes.Mapping(value, "'emit'") is not { } mapping) return null;
        var keys = nodes.Keys(mapping, "'emit'", ["topic", "data"]);
        if (!keys.TryGetValue("topic", out var topicNode))
        {
            steps.Diagnostics.Add(mapping, "'emit' needs 'topic'");
            return null;
        }

        var topic = nodes.Template(topicNode.Value, "'topic'");
        if (topic is not null && !IsTemplate(topic))
        {
            // A fixed topic can be checked now rather than when the step runs.
            try
            {
                TopicPattern.ValidateTopic(topic);
            }
            catch (ArgumentException ex)
            {
                steps.Diagnostics.Add(topicNode.Value, $"invalid 'topic': {ex.Message.Split(" (Parameter", 2)[0]}");
                topic = null;
            }
        }

        if (keys.TryGetValue("data", out var data)) CheckTemplates(nodes, data.Value);
        return topic is null ? null : new EmitDefinition(topic, keys.TryGetValue("data", out var d) ? YamlNodes.ToJson(d.Value) : null, StepReader.Line(value), StepReader.Column(value));
    }

    public static bool IsTemplate(string text) => text.Contains("{{", StringComparison.Ordinal) || text.Contains("{%", StringComparison.Ordinal);

    /// <summary>Strings inside emitted data are templates: check each where it is written.</summary>
    private static void CheckTemplates(YamlNodes nodes, YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode { Value: { } text } scalar when IsTemplate(text):
                nodes.Template(scalar, "'data'");
                break;
            case YamlMappingNode mapping:
                foreach (var child in mapping.Children.Values) CheckTemplates(nodes, child);
                break;
            case YamlSequenceNode sequence:
                foreach (var child in sequence.Children) CheckTemplates(nodes, child);
                break;
        }
    }
}
