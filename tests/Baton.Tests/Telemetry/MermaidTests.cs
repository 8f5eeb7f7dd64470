namespace Baton.Tests.Telemetry;

public sealed class MermaidTests
{
    [Fact]
    public void A_pipeline_is_a_chain_from_start_to_end()
    {
        var mermaid = SequentialBuilder.Create("p", Agent.Identity("research"), Agent.Identity("write")).ToMermaid();

        Assert.StartsWith("flowchart TD\n", mermaid, StringComparison.Ordinal);
        Assert.Contains("  n0[\"research\"]\n", mermaid, StringComparison.Ordinal);
        Assert.Contains("  n0 --> n1\n", mermaid, StringComparison.Ordinal);
        Assert.Contains("  start --> n0\n", mermaid, StringComparison.Ordinal);
        Assert.Contains("  n1 --> done\n", mermaid, StringComparison.Ordinal);
    }

    [Fact]
    public void Conditional_edges_carry_their_label_and_error_routes_are_dashed()
    {
        var workflow = new StateMachineBuilder("loop")
            .State("research", Agent.Identity("researcher"))
            .State("analyze", Agent.Identity("analyst"))
            .State("recover", Agent.Identity("fixer"))
            .Transition("research", "analyze")
            .Transition("analyze", "research", o => o.Confidence < 0.7, "confidence < 0.7")
            .OnError("analyze", "recover")
            .Build();

        var mermaid = workflow.ToMermaid();

        Assert.Contains("n0[\"research: researcher\"]", mermaid, StringComparison.Ordinal);
        Assert.Contains("n1 -- \"confidence #lt; 0.7\" --> n0", mermaid, StringComparison.Ordinal);
        Assert.Contains("n1 -. error .-> n2", mermaid, StringComparison.Ordinal);
        Assert.Contains("n1 -- otherwise --> done", mermaid, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parallel_step_is_a_subgraph_of_its_branches()
    {
        var workflow = new ParallelBuilder("fan").Branch(Agent.Identity("a")).Branch("two steps", SequentialBuilder.Create("b", Agent.Identity("b1"), Agent.Identity("b2"))).Build();

        var lines = workflow.ToMermaid().Split('\n');

        Assert.Contains("  subgraph n0 [\"fan\"]", lines);
        Assert.Contains("    subgraph n0_two_steps [\"two steps\"]", lines);
        Assert.Contains(lines, l => l.Trim() == "n2 --> n3");
        Assert.Contains("  n0 --> done", lines);
        Assert.Equal(lines.Count(l => l.TrimStart().StartsWith("subgraph ", StringComparison.Ordinal)), lines.Count(l => l.Trim() == "end"));
    }
}
