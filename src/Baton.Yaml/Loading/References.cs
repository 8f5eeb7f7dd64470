using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading;

/// <summary>Names of agents and resources a file uses, where it uses them: checked once every definition is read.</summary>
internal sealed class References
{
    private readonly List<(YamlNode Node, string Agent, string? Within)> _agents = [];
    private readonly List<(YamlNode Node, string Resource)> _resources = [];
    private readonly List<Action<Diagnostics>> _deferred = [];

    /// <summary>The workflow agent whose steps are being read, if any: the agents they name are inside it.</summary>
    public string? Within { get; set; }

    public void Agent(YamlNode node, string name) => _agents.Add((node, name, Within));

    /// <summary>A check that needs every definition of the file (models, tools), run with the others.</summary>
    public void Defer(Action<Diagnostics> check) => _deferred.Add(check);

    /// <summary>Reads a <c>resource:</c> value and records it.</summary>
    public string? Resource(YamlNodes nodes, YamlNode node)
    {
        var name = nodes.Text(node, "'resource'");
        if (name is not null) _resources.Add((node, name));
        return name;
    }

    /// <summary>The agents from <paramref name="from"/> to <paramref name="to"/> through the agents each contains, or null.</summary>
    private static List<string>? Path(ILookup<string, string> inside, string from, string to)
    {
        var previous = new Dictionary<string, string?>(StringComparer.Ordinal) { [from] = null };
        var pending = new Queue<string>([from]);
        while (pending.TryDequeue(out var current))
        {
            if (current == to)
            {
                var path = new List<string>();
                for (string? at = current; at is not null; at = previous[at]) path.Insert(0, at);
                return path;
            }

            foreach (var next in inside[current])
            {
                if (previous.TryAdd(next, current)) pending.Enqueue(next);
            }
        }

        return null;
    }

    /// <summary>Reports each name that is not defined, suggesting the closest, and each workflow agent that contains itself.</summary>
    public void Check(Diagnostics diagnostics, IReadOnlyCollection<string> agents, IReadOnlyCollection<string> resources)
    {
        foreach (var (node, agent, _) in _agents)
        {
            if (!agents.Contains(agent)) diagnostics.Add(node, $"there is no agent '{agent}'{DidYouMean.For(agent, agents)}");
        }

        // A workflow agent that names itself, or an agent that leads back to it, would contain itself for ever.
        var inside = _agents.Where(a => a.Within is not null).ToLookup(a => a.Within!, a => a.Agent, StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (node, agent, within) in _agents)
        {
            if (within is null || reported.Contains(within) || Path(inside, agent, within) is not { } path) continue;
            reported.Add(within);
            diagnostics.Add(node, $"agent '{within}' contains itself: {within} -> {string.Join(" -> ", path)}");
        }

        foreach (var (node, resource) in _resources)
        {
            if (!resources.Contains(resource)) diagnostics.Add(node, $"there is no resource '{resource}'{DidYouMean.For(resource, resources)}");
        }

        foreach (var check in _deferred) check(diagnostics);
    }
}
