namespace Baton.Tests.Engine;

public sealed class WorkflowValidationTests
{
    [Fact]
    public void Every_problem_is_reported_at_once_with_suggestions()
    {
        var builder = new WorkflowBuilder("broken")
            .AddStep(Agent.Identity("research"))
            .AddStep(Agent.Identity("write"))
            .AddStep(Agent.Identity("write"))
            .AddStep(Agent.Identity("orphan"))
            .AddEdge("research", "wirte")
            .AddEdge("reserch", "write");

        var error = Assert.Throws<WorkflowValidationException>(builder.Build);

        Assert.Contains("step id 'write' is used twice", error.Problems);
        Assert.Contains("an edge from 'research' goes to unknown step 'wirte' (did you mean 'write'?)", error.Problems);
        Assert.Contains("an edge starts at unknown step 'reserch' (did you mean 'research'?)", error.Problems);
    }

    [Fact]
    public void Unreachable_steps_and_shadowed_edges_are_rejected()
    {
        var unreachable = new WorkflowBuilder("w").AddStep(Agent.Identity("a")).AddStep(Agent.Identity("b"));
        Assert.Contains("step 'b' can never run: no edge leads to it", Assert.Throws<WorkflowValidationException>(unreachable.Build).Problems);

        var shadowed = new WorkflowBuilder("w").AddStep(Agent.Identity("a")).AddStep(Agent.Identity("b")).AddStep(Agent.Identity("c"))
            .AddEdge("a", "b").AddEdge("a", "c");
        Assert.Contains("use a parallel step", Assert.Throws<WorkflowValidationException>(shadowed.Build).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_ids_cannot_collide_with_journal_keys()
    {
        Assert.Throws<ArgumentException>(() => new AgentStep(Agent.Identity("a/b")));
        Assert.Throws<ArgumentException>(() => new AgentStep(Agent.Identity("a:b")));
    }

    [Fact]
    public void Short_names_get_no_far_fetched_suggestion()
    {
        var builder = new WorkflowBuilder("w").AddStep(Agent.Identity("a")).AddEdge("a", "c");
        Assert.Contains("an edge from 'a' goes to unknown step 'c'", Assert.Throws<WorkflowValidationException>(builder.Build).Problems);
    }

    [Fact]
    public void A_pipeline_builder_can_build_twice()
    {
        var builder = new SequentialBuilder("p").Then(Agent.Identity("a")).OnError(Agent.Identity("h"));
        Assert.Equal(builder.Build().Steps.Count, builder.Build().Steps.Count);
    }

    [Fact]
    public void Branch_names_cannot_collide_with_journal_keys()
    {
        var error = Assert.Throws<ArgumentException>(() => new ParallelBuilder("p").Branch("a/b", SequentialBuilder.Create("x", Agent.Identity("x"))).BuildStep());
        Assert.Contains("cannot name a step", error.Message, StringComparison.Ordinal);
    }
}
