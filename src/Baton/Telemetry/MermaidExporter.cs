using System.Globalization;
using System.Text;

namespace Baton;

/// <summary>
/// Writes a workflow as a Mermaid flowchart: steps as nodes, conditional edges labelled with
/// their condition, error routes dashed, and composite steps (parallel, foreach, nested
/// workflows) as subgraphs of their child workflows; a conversation's speakers are joined by dotted
/// edges to whom they may pass it (handoff <c>transfer</c>, group chat <c>next</c>, team <c>assign</c>).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Node ids are the step ids made safe (<c>s_</c> + letters, digits and <c>_</c>; nested
/// steps are prefixed with their parents' ids, and a clash gets a number), so they never collide
/// with Mermaid keywords such as <c>end</c>; step ids are shown as quoted, escaped labels.</item>
/// <item>Ids belong to a place in the graph, not to a workflow object: a workflow used in two
/// branches is drawn twice.</item>
/// <item>A composite step is a subgraph: a branch that is a single plain step is one node named
/// after the branch, other branches are subgraphs, and a nested workflow's steps sit right in its
/// step's subgraph. A nested scope that an edge ends gets its own end node.</item>
/// <item>Top-level steps that can finish the workflow get an edge to <c>done</c>, labelled
/// <c>otherwise</c> when it is taken only because none of the step's conditions held.</item>
/// </list>
/// </remarks>
internal static class MermaidExporter
{
    private const string Start = "start";
    private const string Done = "done";

    public static string Export(Workflow workflow)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var writer = new Writer();
        return writer.Write(workflow);
    }

    private sealed class Writer
    {
        private readonly StringBuilder _text = new();
        private readonly HashSet<string> _used = new(StringComparer.Ordinal) { Start, Done };

        public string Write(Workflow workflow)
        {
            _text.Append("flowchart TD\n");
            Line("  ", $"{Start}((\"start\"))");
            var ids = WriteScope(workflow, "s_", "  ");
            Line("  ", $"{Done}((\"end\"))");
            Line("  ", $"{Start} --> {ids[workflow.Entry.Id]}");
            WriteEdges(workflow, ids, "  ", Done);
            foreach (var step in workflow.Steps)
            {
                var outgoing = workflow.Edges.Where(e => !e.IsError && e.From == step.Id).ToArray();
                if (outgoing.Any(e => e.Condition is null)) continue;
                Line("  ", outgoing.Length == 0 ? $"{ids[step.Id]} --> {Done}" : $"{ids[step.Id]} -->|\"otherwise\"| {Done}");
            }

            return _text.ToString();
        }

        /// <summary>Writes a scope's nodes and subgraphs (edges of nested scopes too); returns its steps' node ids.</summary>
        private Dictionary<string, string> WriteScope(Workflow workflow, string prefix, string indent)
        {
            var ids = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var step in workflow.Steps) ids[step.Id] = Unique(prefix + Sanitize(step.Id));
            foreach (var step in workflow.Steps)
            {
                var id = ids[step.Id];
                var children = step.Children.ToArray();
                if (children.Length == 0)
                {
                    Line(indent, $"{id}[\"{Escape(Label(step))}\"]");
                    continue;
                }

                Line(indent, $"subgraph {id} [\"{Escape(Label(step))}\"]");
                Line(indent + "  ", "direction TB");
                if (children is [var (childName, nested)] && childName == step.AgentName)
                {
                    // A nested workflow: its steps are drawn right inside the step's subgraph.
                    WriteBody(nested, id, indent + "  ");
                    Line(indent, "end");
                    continue;
                }

                var childIds = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (name, child) in children)
                {
                    var childId = Unique(id + "__" + Sanitize(name));
                    childIds[name] = childId;
                    if (child.Steps is [{ Children: var grandchildren } only] && !grandchildren.Any() && child.Edges.Count == 0)
                    {
                        // A branch that is one plain step is drawn as that step, named after the branch.
                        var label = Label(only);
                        Line(indent + "  ", $"{childId}[\"{Escape(label == name ? name : $"{name}: {label}")}\"]");
                        continue;
                    }

                    Line(indent + "  ", $"subgraph {childId} [\"{Escape(name)}\"]");
                    WriteBody(child, childId, indent + "    ");
                    Line(indent + "  ", "end");
                }

                if (step is GraphStep graph)
                {
                    // A graph's nodes run by their dependencies: draw those as edges between them.
                    foreach (var node in graph.Nodes)
                    {
                        foreach (var dependency in node.DependsOn) Line(indent + "  ", $"{childIds[dependency]} --> {childIds[node.Id]}");
                    }
                }

                // A conversation's speakers pass it on at run time: dotted edges show who may pass it to whom.
                foreach (var (from, label, to) in ConversationEdge.Of(step))
                {
                    if (childIds.TryGetValue(from, out var fromId) && childIds.TryGetValue(to, out var toId)) Line(indent + "  ", $"{fromId} -. {label} .-> {toId}");
                }

                Line(indent, "end");
            }

            return ids;
        }

        /// <summary>Writes a nested scope inside the subgraph <paramref name="id"/>: its nodes, an end node when an edge ends it, and its edges.</summary>
        private void WriteBody(Workflow workflow, string id, string indent)
        {
            var ids = WriteScope(workflow, id + "__", indent);
            string? end = null;
            if (workflow.Edges.Any(e => e.To == Edge.End))
            {
                end = Unique(id + "__end");
                Line(indent, $"{end}((\"end\"))");
            }

            WriteEdges(workflow, ids, indent, end);
        }

        private void WriteEdges(Workflow workflow, Dictionary<string, string> ids, string indent, string? end)
        {
            foreach (var edge in workflow.Edges)
            {
                var to = edge.To == Edge.End ? end : ids[edge.To];
                if (to is null) continue;
                var from = ids[edge.From];
                if (edge.IsError) Line(indent, $"{from} -. error .-> {to}");
                else if (edge.Condition is not null) Line(indent, $"{from} -->|\"{Escape(edge.Label ?? "condition")}\"| {to}");
                else Line(indent, $"{from} --> {to}");
            }
        }

        private string Unique(string candidate)
        {
            if (_used.Add(candidate)) return candidate;
            for (var n = 2; ; n++)
            {
                var numbered = candidate + "_" + n.ToString(CultureInfo.InvariantCulture);
                if (_used.Add(numbered)) return numbered;
            }
        }

        private void Line(string indent, string line) => _text.Append(indent).Append(line).Append('\n');
    }

    private static string Label(Step step) => step.AgentName is { } agent && agent != step.Id ? $"{step.Id}: {agent}" : step.Id;

    /// <summary>Makes text safe inside a quoted Mermaid label: entity codes for quotes, markup and line breaks.</summary>
    private static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            switch (c)
            {
                case '#': builder.Append("#35;"); break;
                case '"': builder.Append("#quot;"); break;
                case '<': builder.Append("#lt;"); break;
                case '>': builder.Append("#gt;"); break;
                case '`': builder.Append("#96;"); break;
                case '\r': break;
                case '\n': builder.Append(' '); break;
                default: builder.Append(c); break;
            }
        }

        return builder.ToString();
    }

    private static string Sanitize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text) builder.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        return builder.ToString();
    }
}
