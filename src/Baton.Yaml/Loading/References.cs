using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading;

/// <summary>Names of agents and resources a file uses, where it uses them: checked once every definition is read.</summary>
internal sealed class References
{
    private readonly List<(YamlNode Node, string Agent)> _agents = [];
    private readonly List<(YamlNode Node, string Resource)> _resources = [];
    private readonly List<Action<Diagnostics>> _deferred = [];

    public void Agent(YamlNode node, string name) => _agents.Add((node, name));

    /// <summary>A check that needs every definition of the file (models, tools), run with the others.</summary>
    public void Defer(Action<Diagnostics> check) => _deferred.Add(check);

    /// <summary>Reads a <c>resource:</c> value and records it.</summary>
    public string? Resource(YamlNodes nodes, YamlNode node)
    {
        var name = nodes.Text(node, "'resource'");
        if (name is not null) _resources.Add((node, name));
        return name;
    }

    /// <summary>Reports each name that is not defined, suggesting the closest.</summary>
    public void Check(Diagnostics diagnostics, IReadOnlyCollection<string> agents, IReadOnlyCollection<string> resources)
    {
        foreach (var (node, agent) in _agents)
        {
            if (!agents.Contains(agent)) diagnostics.Add(node, $"there is no agent '{agent}'{DidYouMean.For(agent, agents)}");
        }

        foreach (var (node, resource) in _resources)
        {
            if (!resources.Contains(resource)) diagnostics.Add(node, $"there is no resource '{resource}'{DidYouMean.For(resource, resources)}");
        }

        foreach (var check in _deferred) check(diagnostics);
    }
}
