using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>`ask: PROMPT` or `ask: { prompt, choices, timeout }`: the prompt is a template.</summary>
internal sealed class AskReader : IStepKindReader
{
    public string Keyword => "ask";

    public IReadOnlyCollection<string> SiblingKeys => [];

    public StepDefinition? Read(StepReader steps, YamlNode value, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> stepKeys)
    {
        var nodes = steps.Nodes;
        if (value is not YamlMappingNode mapping)
        {
            return nodes.Template(value, "'ask'") is { } prompt ? new AskDefinition(prompt, StepReader.Line(value), StepReader.Column(value)) : null;
        }

        var keys = nodes.Keys(mapping, "'ask'", ["prompt", "choices", "timeout"]);
        if (!keys.TryGetValue("prompt", out var promptNode))
        {
            steps.Diagnostics.Add(mapping, "'ask' needs 'prompt': the question to ask");
            return null;
        }

        var text = nodes.Template(promptNode.Value, "'prompt'");
        List<string> choices = [];
        var valid = text is not null;
        if (keys.TryGetValue("choices", out var choicesNode))
        {
            if (nodes.Sequence(choicesNode.Value, "'choices'") is { } list)
            {
                foreach (var item in list)
                {
                    if (nodes.Text(item, "a choice") is not { } choice) valid = false;
                    else if (string.IsNullOrWhiteSpace(choice)) steps.Diagnostics.Add(item, "a choice must not be empty");
                    else if (choices.Contains(choice.Trim(), StringComparer.OrdinalIgnoreCase)) steps.Diagnostics.Add(item, $"choice '{choice}' is listed twice");
                    else choices.Add(choice.Trim());
                }

                if (list.Children.Count == 0) steps.Diagnostics.Add(list, "'choices' must list at least one answer");
            }
            else
            {
                valid = false;
            }
        }

        TimeSpan? timeout = null;
        if (keys.TryGetValue("timeout", out var timeoutNode))
        {
            timeout = nodes.Duration(timeoutNode.Value, "'timeout'");
            valid &= timeout is not null;
        }

        return valid ? new AskDefinition(text!, StepReader.Line(value), StepReader.Column(value)) { Choices = choices, AnswerTimeout = timeout } : null;
    }
}
