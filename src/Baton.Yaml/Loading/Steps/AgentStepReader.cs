using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>`{ agent: NAME }` (and a step written as an agent's name).</summary>
internal sealed class AgentStepReader : IStepKindReader
{
    public string Keyword => "agent";

    public IReadOnlyCollection<string> SiblingKeys => [];

    /// <summary>An agent step naming the agent at <paramref name="node"/>; the name is checked once every agent is read.</summary>
    public static AgentStepDefinition? ReadName(StepReader steps, YamlNode node, string what)
    {
        if (steps.Nodes.Name(node, what) is not { } agent) return null;
        steps.References.Agent(node, agent);
        return new AgentStepDefinition(agent, StepReader.Line(node), StepReader.Column(node));
    }

    public StepDefinition? Read(StepReader steps, YamlNode value, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> keys) => ReadName(steps, value, "'agent'");
}
