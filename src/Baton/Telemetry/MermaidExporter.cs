using System.Text;

namespace Baton;

/// <summary>
/// Writes a workflow as a Mermaid flowchart: steps as nodes, conditional edges labelled with
/// their condition, error routes dashed, and composite steps as subgraphs of their children.
/// </summary>
internal static class MermaidExporter
{
    public static string Export(Workflow workflow)
    {
        var text = new StringBuilder();
        text.Append("flowchart TD\n");
        var ids = new Dictionary<(Workflow, string), string>();
        var counter = 0;
        string NodeId(Workflow wf, string stepId)
        {
            if (!ids.TryGetValue((wf, stepId), out var id))
            {
                id = "n" + counter++.ToString(System.Globalization.CultureInfo.InvariantCulture);
                ids[(wf, stepId)] = id;
            }

            return id;
        }

        var start = "start";
        var end = "done";
        text.Append("  ").Append(start).Append("((start))\n");
        Write(workflow, "  ", topLevel: true);
        text.Append("  ").Append(start).Append(" --> ").Append(NodeId(workflow, workflow.Entry.Id)).Append('\n');
        text.Append("  ").Append(end).Append("((end))\n");
        foreach (var step in workflow.Steps.Where(s => !workflow.Edges.Any(e => !e.IsError && e.From == s.Id && e.Condition is null)))
        {
            var conditional = workflow.Edges.Any(e => !e.IsError && e.From == step.Id);
            text.Append("  ").Append(NodeId(workflow, step.Id)).Append(conditional ? " -- otherwise --> " : " --> ").Append(end).Append('\n');
        }

        return text.ToString();

        void Write(Workflow wf, string indent, bool topLevel)
        {
            foreach (var step in wf.Steps)
            {
                var id = NodeId(wf, step.Id);
                var children = step.Children.ToArray();
                if (children.Length == 0)
                {
                    text.Append(indent).Append(id).Append("[\"").Append(Escape(Label(step))).Append("\"]\n");
                    continue;
                }

                text.Append(indent).Append("subgraph ").Append(id).Append(" [\"").Append(Escape(Label(step))).Append("\"]\n");
                text.Append(indent).Append("  direction TB\n");
                foreach (var (name, child) in children)
                {
                    var childId = id + "_" + Sanitize(name);
                    text.Append(indent).Append("  subgraph ").Append(childId).Append(" [\"").Append(Escape(name)).Append("\"]\n");
                    Write(child, indent + "    ", topLevel: false);
                    text.Append(indent).Append("  end\n");
                }

                text.Append(indent).Append("end\n");
            }

            foreach (var edge in wf.Edges)
            {
                // A nested workflow ends inside its subgraph; only the top level has an end node.
                if (edge.To == Edge.End && !topLevel) continue;
                var from = NodeId(wf, edge.From);
                var to = edge.To == Edge.End ? "done" : NodeId(wf, edge.To);
                text.Append(indent).Append(from);
                if (edge.IsError) text.Append(" -. error .-> ");
                else if (edge.Condition is not null) text.Append(" -- \"").Append(Escape(edge.Label ?? "condition")).Append("\" --> ");
                else text.Append(" --> ");
                text.Append(to).Append('\n');
            }
        }
    }

    private static string Label(Step step) => step.AgentName is { } agent && agent != step.Id ? $"{step.Id}: {agent}" : step.Id;

    // Mermaid entity codes, so labels such as "confidence < 0.7" survive its HTML label rendering.
    private static string Escape(string text) => text
        .Replace("\"", "#quot;", StringComparison.Ordinal)
        .Replace("<", "#lt;", StringComparison.Ordinal)
        .Replace(">", "#gt;", StringComparison.Ordinal);

    private static string Sanitize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text) builder.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        return builder.ToString();
    }
}
