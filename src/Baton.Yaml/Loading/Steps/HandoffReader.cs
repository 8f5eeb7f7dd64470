using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>`handoff: { start, agents: { NAME: { do: AGENT, to: [NAMES], description } }, maxHandoffs }`; `NAME: AGENT` is short for `{ do: AGENT }`.</summary>
internal sealed class HandoffReader : IStepKindReader
{
    private static readonly string[] Keys = ["start", "agents", "maxHandoffs"];
    private static readonly string[] AgentKeys = ["do", "to", "description"];

    public string Keyword => "handoff";

    public IReadOnlyCollection<string> SiblingKeys => [];

    public StepDefinition? Read(StepReader steps, YamlNode value, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> stepKeys)
    {
        var nodes = steps.Nodes;
        if (nodes.Mapping(value, "'handoff'") is not { } mapping) return null;
        var keys = nodes.Keys(mapping, "'handoff'", Keys);
        if (!keys.TryGetValue("agents", out var agentsNode) || nodes.Mapping(agentsNode.Value, "'agents'") is not { } agentMap)
        {
            if (!keys.ContainsKey("agents")) steps.Diagnostics.Add(mapping, "'handoff' needs 'agents': a map NAME: { do: AGENT, to: [NAMES] }");
            return null;
        }

        var agents = new List<(HandoffAgentDefinition Agent, List<(YamlNode Node, string Name)> To)>();
        foreach (var (keyNode, agentNode) in agentMap.Children)
        {
            if (nodes.Name(keyNode, "a handoff agent's name") is not { } name) continue;
            string? agent;
            var to = new List<(YamlNode, string)>();
            string? description = null;
            if (agentNode is YamlScalarNode)
            {
                agent = nodes.Name(agentNode, $"handoff agent '{name}'");
                if (agent is not null) steps.References.Agent(agentNode, agent);
            }
            else
            {
                if (nodes.Mapping(agentNode, $"handoff agent '{name}'") is not { } settings) continue;
                var agentKeys = nodes.Keys(settings, $"handoff agent '{name}'", AgentKeys);
                if (!agentKeys.TryGetValue("do", out var d))
                {
                    steps.Diagnostics.Add(settings, $"handoff agent '{name}' needs 'do': the agent that speaks");
                    continue;
                }

                agent = nodes.Name(d.Value, "'do'");
                if (agent is not null) steps.References.Agent(d.Value, agent);
                if (agentKeys.TryGetValue("to", out var t))
                {
                    var targets = t.Value is YamlSequenceNode sequence ? sequence.Children : nodes.Sequence(t.Value, "'to'")?.Children ?? [];
                    foreach (var target in targets) if (nodes.Name(target, "a 'to' target") is { } targetName) to.Add((target, targetName));
                }

                if (agentKeys.TryGetValue("description", out var ds)) description = nodes.Text(ds.Value, "'description'");
            }

            if (agent is null) continue;
            agents.Add((new HandoffAgentDefinition(name, agent, [.. to.Select(x => x.Item2)], description), to));
        }

        var names = agents.Select(a => a.Agent.Name).ToArray();
        foreach (var (agent, to) in agents)
        {
            foreach (var (node, target) in to)
            {
                if (target == agent.Name) steps.Diagnostics.Add(node, $"handoff agent '{agent.Name}' cannot transfer to itself");
                else if (!names.Contains(target)) steps.Diagnostics.Add(node, $"handoff agent '{agent.Name}' may transfer to '{target}', which is none of the handoff's agents ({string.Join(", ", names)}){DidYouMean.For(target, names)}");
            }
        }

        if (agents.Count == 0)
        {
            steps.Diagnostics.Add(agentsNode.Value, "'agents' needs at least one agent");
            return null;
        }

        var start = agents[0].Agent.Name;
        if (keys.TryGetValue("start", out var s) && nodes.Name(s.Value, "'start'") is { } startName)
        {
            if (names.Contains(startName)) start = startName;
            else steps.Diagnostics.Add(s.Value, $"'start' names '{startName}', which is none of the handoff's agents ({string.Join(", ", names)}){DidYouMean.For(startName, names)}");
        }

        var maxHandoffs = keys.TryGetValue("maxHandoffs", out var mh) ? nodes.Integer(mh.Value, "'maxHandoffs'", 0) ?? 10 : 10;
        return new HandoffDefinition(start, [.. agents.Select(a => a.Agent)], StepReader.Line(value), StepReader.Column(value)) { MaxHandoffs = maxHandoffs };
    }
}
