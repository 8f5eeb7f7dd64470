using Baton.Yaml.Loading.Steps;
using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading;

/// <summary>
/// Reads steps: picks the step kind's reader by its pattern key (<see cref="StepKindReaders"/>), reads the common
/// options (<see cref="StepOptionsReader"/>) and gives each step its id. Kind readers call back here for nested steps
/// and for the agents and resources they name, which are checked once the whole file is read.
/// </summary>
internal sealed class StepReader(YamlNodes nodes, References references)
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    public YamlNodes Nodes { get; } = nodes;

    public Diagnostics Diagnostics => Nodes.Diagnostics;

    public References References { get; } = references;

    /// <summary>The names of the file's agents (a known agent's name is that agent, anything else an expression).</summary>
    public IReadOnlySet<string> AgentNames { get; set; } = new HashSet<string>();

    /// <summary>The names of the file's models (a <c>plan</c> step's planner names one).</summary>
    public IReadOnlySet<string> ModelNames { get; set; } = new HashSet<string>();

    /// <summary>The names of the file's tools, which a <c>plan</c> step may use as skills beside agents.</summary>
    public IReadOnlySet<string> ToolNames { get; set; } = new HashSet<string>();

    public StepDefinition? ReadStep(YamlNode node, string where)
    {
        if (node is YamlScalarNode)
        {
            if (AgentStepReader.ReadName(this, node, "a step") is not { } agentStep) return null;
            return Identify(agentStep, agentStep.Agent, null);
        }

        if (Nodes.Mapping(node, $"a step in {where}") is not { } mapping) return null;
        var patterns = mapping.Children.Keys.OfType<YamlScalarNode>().Where(k => k.Value is { } v && StepKindReaders.TryGet(v, out _)).ToArray();
        if (patterns.Length != 1)
        {
            Diagnostics.Add(mapping, patterns.Length == 0
                ? $"a step needs an agent's name, 'agent:', or one of {string.Join(", ", StepKindReaders.PatternKeys)}{SuggestPattern(mapping)}"
                : $"a step has one pattern key, not {string.Join(" and ", patterns.Select(p => $"'{p.Value}'"))}");
            return null;
        }

        var pattern = patterns[0].Value!;
        StepKindReaders.TryGet(pattern, out var reader);
        var allowed = new HashSet<string>(StepOptionsReader.Keys, StringComparer.Ordinal) { pattern };
        allowed.UnionWith(reader.SiblingKeys);
        var keys = Nodes.Keys(mapping, $"a '{pattern}' step", allowed);
        var step = reader.Read(this, keys[pattern].Value, keys);
        if (step is null) return null;
        step = StepOptionsReader.Apply(this, step, keys);
        var explicitId = keys.TryGetValue("id", out var id) ? Nodes.Name(id.Value, "'id'") : null;
        return Identify(step, step is AgentStepDefinition agent ? agent.Agent : pattern, explicitId, id.Value);
    }

    public static int Line(YamlNode node) => (int)node.Start.Line;

    public static int Column(YamlNode node) => (int)node.Start.Column;

    /// <summary>Gives a step its id: the one written, else the agent's name or the pattern key, made unique with -2, -3...</summary>
    private StepDefinition Identify(StepDefinition step, string name, string? explicitId, YamlNode? idNode = null)
    {
        if (explicitId is not null)
        {
            if (_ids.ContainsKey(explicitId)) Diagnostics.Add(idNode!, $"id '{explicitId}' is used by another step");
            _ids[explicitId] = 1;
            return step with { ExplicitId = true, Id = explicitId };
        }

        var count = _ids.TryGetValue(name, out var n) ? n + 1 : 1;
        _ids[name] = count;
        var unique = count == 1 ? name : $"{name}-{count}";
        while (count > 1 && _ids.ContainsKey(unique)) unique = $"{name}-{++count}";
        _ids[unique] = Math.Max(1, _ids.GetValueOrDefault(unique));
        return step with { Id = unique };
    }

    private static string SuggestPattern(YamlMappingNode mapping)
    {
        foreach (var key in mapping.Children.Keys.OfType<YamlScalarNode>())
        {
            if (key.Value is { } k && !StepOptionsReader.Keys.Contains(k) && Baton.Suggestions.Closest(k, StepKindReaders.PatternKeys) is { } near) return $" ('{k}': did you mean '{near}'?)";
        }

        return "";
    }
}
