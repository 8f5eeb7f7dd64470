using Baton.Storage;
using Baton.Tests.Events;

namespace Baton.Tests.Engine;

/// <summary>The journal-key grammar has one owner and one rule for names; private state goes by agent identity.</summary>
public sealed class StepKeyTests
{
    [Theory]
    [InlineData("1:research", 1, null, "research", null)]
    [InlineData("1:fan/first/2:write", 2, "first", "write", "1:fan")]
    [InlineData("3:review/1:draft", 1, null, "draft", "3:review")]
    [InlineData("1:outer/a/1:inner/7/1:leaf", 1, "7", "leaf", "1:outer/a/1:inner")]
    public void Keys_parse_into_segments_with_their_parent(string key, int sequence, string? child, string stepId, string? parent)
    {
        var parsed = StepKey.Parse(key);

        Assert.Equal(stepId, parsed.StepId);
        Assert.Equal(new StepKeySegment(child, sequence, stepId), parsed.Segments[^1]);
        Assert.Equal(parent, parsed.Parent?.Value);
        Assert.Equal(key, parsed.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("research")]
    [InlineData("0:research")]
    [InlineData("1:fan/a/b/1:x")]
    [InlineData("1:fan/")]
    [InlineData("x:research")]
    public void Malformed_keys_are_refused(string key)
    {
        Assert.False(StepKey.TryParse(key, out _));
        Assert.Throws<FormatException>(() => StepKey.Parse(key));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a:b")]
    [InlineData("a#2")]
    [InlineData("$x")]
    [InlineData(" ")]
    [InlineData("tab\there")]
    public void Every_name_that_goes_into_a_key_follows_one_rule(string name)
    {
        var agent = Agent.Create("agent", p => p);

        Assert.Throws<ArgumentException>(() => new AgentStep(agent, name));
        Assert.Throws<ArgumentException>(() => new GraphNode(name, agent));
        Assert.Throws<ArgumentException>(() => new ParallelBuilder("p").Branch(name, Workflow.Of(agent)).Build());
        Assert.Throws<ArgumentException>(() => new VoteBuilder("v").Voters(Agent.Create(name, p => p), agent).Build());
        Assert.NotNull(StepKey.NameProblem(name));
    }

    [Fact]
    public async Task An_agent_named_like_a_path_cannot_read_another_agents_private_state()
    {
        var a = Agent.Create("a", (input, context) =>
        {
            context.SetPrivateState("b/x", Payload.FromText("a's secret"));
            return AgentResult.Success("wrote");
        });
        var nosy = Agent.Create("a/b", (input, context) =>
            AgentResult.Success(context.PrivateState.TryGet("x", out var found) ? found : Payload.FromText("nothing")));
        var mine = Agent.Create("a", (input, context) =>
            AgentResult.Success(context.PrivateState.TryGet("b/x", out var found) ? found : Payload.FromText("lost")));
        var workflow = new WorkflowBuilder("private")
            .AddStep(new AgentStep(a, "write"))
            .AddStep(new AgentStep(nosy, "nosy"))
            .AddStep(new AgentStep(mine, "mine"))
            .AddEdge("write", "nosy")
            .AddEdge("nosy", "mine")
            .Build();
        var store = new InMemoryRunStore();
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store });

        var result = await runtime.RunAsync(workflow, "x").Within();
        var journal = await store.ReadJournalAsync(result.RunId);

        Assert.Equal("a's secret", result.Output!.AsText());
        Assert.Equal("nothing", journal.Single(e => e.StepId == "nosy").Payload!.AsText());
        var write = Assert.Single(journal.Single(e => e.StepId == "write").StateChanges!);
        Assert.Equal(("b/x", "a"), (write.Name, write.Agent));
    }
}
