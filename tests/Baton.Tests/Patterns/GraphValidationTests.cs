namespace Baton.Tests.Patterns;

public sealed class GraphValidationTests
{
    private static readonly IAgent Echo = Agent.Identity("echo");

    [Fact]
    public void Mermaid_draws_a_graphs_dependencies_as_edges_between_its_nodes()
    {
        var workflow = new GraphBuilder("diamond")
            .Node("a", Echo).Node("b", Echo, ["a"]).Node("c", Echo, ["a"]).Node("d", Echo, ["b", "c"])
            .Build();

        var mermaid = workflow.ToMermaid();

        var edges = mermaid.Split('\n').Select(l => l.Trim()).Where(l => l.Contains("-->") && l.Contains("__")).ToArray();
        Assert.Equal(4, edges.Length);
        Assert.Contains(edges, e => e.Contains("__a --> ", StringComparison.Ordinal) && e.EndsWith("__b", StringComparison.Ordinal));
        Assert.Contains(edges, e => e.Contains("__c --> ", StringComparison.Ordinal) && e.EndsWith("__d", StringComparison.Ordinal));
    }

    [Fact]
    public void A_cycle_is_rejected_and_named_in_the_order_its_nodes_would_run()
    {
        var graph = new GraphBuilder("g")
            .Node("a", Echo, dependsOn: ["b"])
            .Node("b", Echo, dependsOn: ["c"])
            .Node("c", Echo, dependsOn: ["a"])
            .Node("free", Echo);

        var error = Assert.Throws<WorkflowValidationException>(() => graph.BuildStep());

        var problem = Assert.Single(error.Problems);
        Assert.Equal("the nodes form a cycle (each waits for the one before it): a -> c -> b -> a", problem);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var graph = new GraphBuilder("g")
            .Node("fetch", Echo)
            .Node("fetch", Echo)
            .Node("parse", Echo, dependsOn: ["fetc"])
            .Node("self", Echo, dependsOn: ["self"])
            .Node("x", Echo, dependsOn: ["y"])
            .Node("y", Echo, dependsOn: ["x"])
            .Output("nowhere");

        var problems = graph.Validate();

        Assert.Equal(
        [
            "node id 'fetch' is used twice",
            "node 'parse' depends on unknown node 'fetc' (did you mean 'fetch'?)",
            "node 'self' depends on itself",
            "the output node 'nowhere' does not exist",
            "the nodes form a cycle (each waits for the one before it): x -> y -> x",
        ], problems);
        Assert.Throws<WorkflowValidationException>(() => graph.Build());
    }

    [Fact]
    public void A_valid_graph_has_no_problems_and_lists_its_nodes_as_children()
    {
        var step = new GraphBuilder("g").Node("a", Echo).Node("b", Echo, dependsOn: ["a", "a"]).BuildStep("plan");

        Assert.Equal("plan", step.Id);
        Assert.Equal(["a", "b"], step.Children.Select(c => c.Name));
        Assert.Equal(["a"], step.Nodes[1].DependsOn);
        Assert.False(step.IsBuiltFromInput);
    }

    [Fact]
    public void Empty_graphs_and_bad_node_ids_are_refused()
    {
        Assert.Equal(["the graph has no nodes"], new GraphBuilder("g").Validate());
        Assert.Throws<ArgumentException>(() => new GraphNode("a/b", Echo));
        Assert.Throws<ArgumentException>(() => new GraphNode("a:b", Echo));
        Assert.Throws<ArgumentException>(() => new GraphNode("a", Echo, dependsOn: [""]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GraphBuilder("g").MaxParallel(0));
    }

    [Fact]
    public void The_default_input_follows_the_number_of_dependencies()
    {
        var none = GraphNode.DefaultInput(new GraphNodeInputs("n", "in", new Dictionary<string, Payload>()));
        var one = GraphNode.DefaultInput(new GraphNodeInputs("n", "in", new Dictionary<string, Payload> { ["a"] = "A" }));
        var two = GraphNode.DefaultInput(new GraphNodeInputs("n", "in", new Dictionary<string, Payload> { ["a"] = "A", ["b"] = Payload.ParseJson("[1]") }));

        Assert.Equal("in", none.AsText());
        Assert.Equal("A", one.AsText());
        Assert.Equal("""{"a":"A","b":[1]}""", two.AsText());
    }
}
