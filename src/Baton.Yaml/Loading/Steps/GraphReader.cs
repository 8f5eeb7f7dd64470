using Baton.Yaml.Model.Steps;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>
/// <c>graph: { nodes: { NAME: { do: step, after: [NAMES] } }, output: NAME }</c>: checks that every name in an
/// <c>after</c> and the <c>output</c> is a node, and that no nodes wait for each other in a cycle (each cycle named once).
/// </summary>
internal sealed class GraphReader : IStepKindReader
{
    public string Keyword => "graph";

    public IReadOnlyCollection<string> SiblingKeys => [];

    public StepDefinition? Read(StepReader steps, YamlNode value, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> stepKeys)
    {
        var nodes = steps.Nodes;
        if (nodes.Mapping(value, "'graph'") is not { } mapping) return null;
        var keys = nodes.Keys(mapping, "'graph'", ["nodes", "output"]);
        if (!keys.TryGetValue("nodes", out var nodesEntry))
        {
            steps.Diagnostics.Add(mapping, "'graph' needs 'nodes': a map of name: { do: step, after: [names] }");
            return null;
        }

        if (nodes.Mapping(nodesEntry.Value, "'nodes'") is not { } nodeMap) return null;
        var definitions = new List<GraphNodeDefinition>();
        var afters = new List<(YamlNode Node, string Name)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var complete = true;
        foreach (var (nameNode, nodeValue) in nodeMap.Children)
        {
            if (nodes.Name(nameNode, "a node's name") is not { } name)
            {
                complete = false;
                continue;
            }

            if (!seen.Add(name)) steps.Diagnostics.Add(nameNode, $"node '{name}' is defined twice");
            if (ReadNode(steps, name, nameNode, nodeValue, afters) is { } node) definitions.Add(node);
            else complete = false;
        }

        if (nodeMap.Children.Count == 0) steps.Diagnostics.Add(nodeMap, "'nodes' needs at least one node");
        foreach (var (node, name) in afters)
        {
            if (!seen.Contains(name)) steps.Diagnostics.Add(node, $"there is no node '{name}' in the graph{DidYouMean.For(name, seen)}");
        }

        string? output = definitions.Count > 0 ? definitions[^1].Name : null;
        if (keys.TryGetValue("output", out var outputEntry) && nodes.Name(outputEntry.Value, "'output'") is { } named)
        {
            if (seen.Contains(named)) output = named;
            else
            {
                steps.Diagnostics.Add(outputEntry.Value, $"'output' names node '{named}', which the graph does not have{DidYouMean.For(named, seen)}");
                output = null;
            }
        }

        ReportCycles(steps.Diagnostics, definitions, seen);
        return complete && output is not null ? new GraphDefinition(definitions, output, StepReader.Line(value), StepReader.Column(value)) : null;
    }

    private static GraphNodeDefinition? ReadNode(StepReader steps, string name, YamlNode nameNode, YamlNode value, List<(YamlNode, string)> afters)
    {
        var nodes = steps.Nodes;
        if (nodes.Mapping(value, $"node '{name}'") is not { } spec) return null;
        var keys = nodes.Keys(spec, $"node '{name}'", ["do", "after"]);
        if (!keys.TryGetValue("do", out var @do))
        {
            steps.Diagnostics.Add(spec, $"node '{name}' needs 'do': the step it runs");
            return null;
        }

        var step = steps.ReadStep(@do.Value, $"node '{name}'");
        var after = new List<string>();
        if (keys.TryGetValue("after", out var afterEntry))
        {
            // One name may be written without the brackets.
            IEnumerable<YamlNode> items = afterEntry.Value is YamlScalarNode ? [afterEntry.Value] : nodes.Sequence(afterEntry.Value, "'after'")?.Children ?? [];
            foreach (var item in items)
            {
                if (nodes.Name(item, "a name in 'after'") is not { } dependency) continue;
                afters.Add((item, dependency));
                if (!after.Contains(dependency)) after.Add(dependency);
            }
        }

        return step is null ? null : new GraphNodeDefinition(name, step, after, StepReader.Line(nameNode), StepReader.Column(nameNode));
    }

    /// <summary>Reports each cycle of nodes waiting for each other once, at the node of the cycle written first.</summary>
    private static void ReportCycles(Diagnostics diagnostics, List<GraphNodeDefinition> definitions, HashSet<string> names)
    {
        var byName = new Dictionary<string, GraphNodeDefinition>(StringComparer.Ordinal);
        foreach (var definition in definitions) byName.TryAdd(definition.Name, definition);
        var order = definitions.Select((d, i) => (d.Name, i)).GroupBy(p => p.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var definition in definitions)
        {
            // Depth-first along 'after', without recursion: a name met again on the current path closes a cycle.
            var path = new List<string>();
            var onPath = new HashSet<string>(StringComparer.Ordinal);
            var stack = new Stack<(string Name, int Next)>();
            stack.Push((definition.Name, 0));
            path.Add(definition.Name);
            onPath.Add(definition.Name);
            while (stack.Count > 0)
            {
                var (name, next) = stack.Pop();
                var after = byName.TryGetValue(name, out var node) ? node.After : [];
                if (done.Contains(name) || next >= after.Count)
                {
                    done.Add(name);
                    path.RemoveAt(path.Count - 1);
                    onPath.Remove(name);
                    continue;
                }

                stack.Push((name, next + 1));
                var dependency = after[next];
                if (!names.Contains(dependency) || done.Contains(dependency)) continue;
                if (onPath.Contains(dependency))
                {
                    Report(diagnostics, path[path.IndexOf(dependency)..], byName, order, reported);
                    continue;
                }

                stack.Push((dependency, 0));
                path.Add(dependency);
                onPath.Add(dependency);
            }
        }
    }

    private static void Report(Diagnostics diagnostics, List<string> cycle, Dictionary<string, GraphNodeDefinition> byName, Dictionary<string, int> order, HashSet<string> reported)
    {
        // Start the cycle at its node written first, so the same cycle reads the same from wherever it was found.
        var first = cycle.IndexOf(cycle.MinBy(n => order[n])!);
        var rotated = cycle[first..].Concat(cycle[..first]).ToList();
        if (!reported.Add(string.Join(" ", rotated.Order(StringComparer.Ordinal)))) return;
        var links = rotated.Select((n, i) => $"'{n}' is after '{rotated[(i + 1) % rotated.Count]}'");
        var start = byName[rotated[0]];
        diagnostics.Add(new Mark(0, start.Line, start.Column),
            $"graph nodes wait for each other in a cycle: {string.Join(", ", links)}; none of them could ever start (remove one of these from an 'after')");
    }
}
