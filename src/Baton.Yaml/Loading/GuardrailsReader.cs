using Baton.Yaml.Model;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading;

/// <summary>Reads an agent's <c>guardrails: { input: [...], output: [...] }</c>: each <c>{ check, message }</c> or <c>{ agent, message }</c>.</summary>
internal static class GuardrailsReader
{
    private static readonly string[] Stages = ["input", "output"];
    private static readonly string[] CheckKeys = ["check", "message"];
    private static readonly string[] JudgeKeys = ["agent", "message"];

    public static GuardrailsDefinition? Read(YamlNodes nodes, References references, YamlNode node, string agent)
    {
        if (nodes.Mapping(node, $"'guardrails' of agent '{agent}'") is not { } mapping) return null;
        var keys = nodes.Keys(mapping, $"'guardrails' of agent '{agent}'", Stages);
        return new GuardrailsDefinition
        {
            Input = keys.TryGetValue("input", out var i) ? ReadList(nodes, references, i.Value, agent, "input") : [],
            Output = keys.TryGetValue("output", out var o) ? ReadList(nodes, references, o.Value, agent, "output") : [],
        };
    }

    private static List<GuardrailDefinition> ReadList(YamlNodes nodes, References references, YamlNode node, string agent, string stage)
    {
        var result = new List<GuardrailDefinition>();
        if (nodes.Sequence(node, $"'{stage}' guardrails of agent '{agent}'") is not { } list) return result;
        foreach (var item in list.Children)
        {
            var where = $"an {stage} guardrail of agent '{agent}'";
            if (nodes.Mapping(item, where) is not { } spec) continue;
            var isJudge = spec.Children.ContainsKey(new YamlScalarNode("agent"));
            if (!isJudge && !spec.Children.ContainsKey(new YamlScalarNode("check")))
            {
                nodes.Diagnostics.Add(spec, $"{where} needs 'check' (an expression that must be true) or 'agent' (an agent answering yes or no)");
                continue;
            }

            var keys = nodes.Keys(spec, where, isJudge ? JudgeKeys : CheckKeys);
            if (!keys.TryGetValue("message", out var m))
            {
                nodes.Diagnostics.Add(spec, $"{where} needs a 'message' (what the step's error says when it fails)");
                continue;
            }

            if (nodes.Text(m.Value, "'message'") is not { } message) continue;
            if (isJudge)
            {
                if (nodes.Text(keys["agent"].Value, "'agent'") is not { } judge) continue;
                references.Agent(keys["agent"].Value, judge);
                result.Add(new GuardrailDefinition(message) { Agent = judge });
            }
            else if (nodes.Expression(keys["check"].Value, "'check'") is { } check)
            {
                result.Add(new GuardrailDefinition(message) { Check = check });
            }
        }

        return result;
    }
}
