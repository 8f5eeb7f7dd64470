using System.Text.Json.Nodes;

namespace Baton.Server.Workflows;

/// <summary>
/// A workflow as <c>GET /api/runs/{id}/graph?format=json</c> gives it, for drawing (the dashboard colours each step by
/// the run's steps): a scope <c>{ entry, steps, edges }</c>; each step <c>{ id, agent, kind, children, conversation }</c>,
/// each child <c>{ name, entry, steps, edges, dependsOn }</c> a nested scope (a branch, the body of a <c>foreach</c>, a
/// graph's node, a nested workflow, a conversation's speaker); each edge <c>{ from, to, label, error }</c>, <c>to</c> null
/// when the edge ends the scope. A conversation step's <c>conversation</c> lists who may pass it to whom,
/// <c>{ from, kind, to }</c> by child name (<see cref="ConversationEdge"/>: handoff <c>transfer</c>, group chat
/// <c>next</c>, team <c>assign</c>), the dotted edges of the Mermaid graph; empty for other steps.
/// </summary>
internal static class WorkflowGraph
{
    /// <summary>How deep nested scopes are written; a workflow that nests itself deeper is cut there.</summary>
    public const int MaxDepth = 16;

    /// <summary>The workflow's graph; <paramref name="hiddenEntry"/> names an entry step the host added (a file's inputs), left out.</summary>
    public static JsonObject ToJson(Workflow workflow, string? hiddenEntry = null)
    {
        var json = Scope(workflow, 0);
        if (hiddenEntry is null || workflow.Entry.Id != hiddenEntry) return json;
        var next = workflow.Edges.FirstOrDefault(e => e.From == hiddenEntry && !e.IsError && e.Condition is null)?.To;
        var steps = json["steps"]!.AsArray();
        steps.Remove(steps.First(s => s!["id"]!.GetValue<string>() == hiddenEntry));
        var edges = json["edges"]!.AsArray();
        foreach (var edge in edges.Where(e => e!["from"]!.GetValue<string>() == hiddenEntry || e["to"]?.GetValue<string>() == hiddenEntry).ToArray()) edges.Remove(edge);
        json["entry"] = next is null || next == Edge.End ? null : next;
        return json;
    }

    private static JsonObject Scope(Workflow workflow, int depth)
    {
        var steps = new JsonArray();
        foreach (var step in workflow.Steps)
        {
            var children = new JsonArray();
            if (depth < MaxDepth)
            {
                var dependencies = step is GraphStep graph ? graph.Nodes.ToDictionary(n => n.Id, n => n.DependsOn, StringComparer.Ordinal) : null;
                foreach (var (name, child) in step.Children)
                {
                    var scope = Scope(child, depth + 1);
                    scope["name"] = name;
                    if (dependencies?.GetValueOrDefault(name) is { Count: > 0 } dependsOn) scope["dependsOn"] = new JsonArray([.. dependsOn.Select(d => (JsonNode)JsonValue.Create(d))]);
                    children.Add(scope);
                }
            }

            // Who speaks next is decided at run time: these are the ways the conversation may go, not edges taken in order.
            var conversation = new JsonArray();
            foreach (var edge in ConversationEdge.Of(step))
            {
                conversation.Add(new JsonObject { ["from"] = edge.From, ["kind"] = edge.Kind, ["to"] = edge.To });
            }

            steps.Add(new JsonObject
            {
                ["id"] = step.Id,
                ["agent"] = step.AgentName,
                ["kind"] = KindOf(step),
                ["children"] = children,
                ["conversation"] = conversation,
            });
        }

        var edges = new JsonArray();
        foreach (var edge in workflow.Edges)
        {
            edges.Add(new JsonObject
            {
                ["from"] = edge.From,
                ["to"] = edge.To == Edge.End ? null : edge.To,
                ["label"] = edge.Condition is null ? null : edge.Label ?? "condition",
                ["error"] = edge.IsError,
            });
        }

        return new JsonObject { ["entry"] = workflow.Entry.Id, ["steps"] = steps, ["edges"] = edges };
    }

    /// <summary>The step's kind by its type: <c>ParallelStep</c> is <c>parallel</c>; an agent calling a workflow is <c>workflow</c>.</summary>
    private static string KindOf(Step step)
    {
        var name = step.GetType().Name;
        if (name.EndsWith("Step", StringComparison.Ordinal)) name = name[..^4];
        if (name == "Agent" && step.Children.Any()) return "workflow";
        return name.Length == 0 ? "step" : char.ToLowerInvariant(name[0]) + name[1..];
    }
}
