namespace Baton.Tests.Core;

public sealed class SharedContextTests
{
    [Fact]
    public async Task An_agent_reacts_when_another_agent_shares_a_finding()
    {
        IAgent Researcher(string name, string finding) => Agent.Create(name, (input, context) =>
        {
            context.SetState("findings", finding);
            return AgentResult.Success(finding);
        });
        var editor = Agent.Create("editor", async (input, context, ct) =>
        {
            // Runs beside the researchers and collects what they share, as they commit.
            var seen = new List<string>();
            await foreach (var change in context.WatchState("findings", ct))
            {
                seen.Add($"{change.Update} (from {change.StepKey})");
                if (seen.Count == 2) break;
            }

            return AgentResult.Success(string.Join("; ", seen.Order(StringComparer.Ordinal)));
        });
        var workflow = new WorkflowBuilder("desk")
            .DeclareState("findings", StateReducer.Append)
            .AddStep(new ParallelBuilder("team")
                .Branch(editor)
                .Branch(Researcher("market", "demand is up"))
                .Branch(Researcher("tech", "latency is fine"))
                .MergeWith(Merge.ByName)
                .BuildStep())
            .Build();
        await using var runtime = new BatonRuntime();

        var run = runtime.Start(workflow, "go");
        var result = await run.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("demand is up (from 1:team/market/1:market); latency is fine (from 1:team/tech/1:tech)",
            result.Output!.AsJson().GetProperty("editor").GetString());
        Assert.Equal(2, run.EventsSoFar.OfType<StateChangedEvent>().Count(e => e.Name == "findings"));
    }

    [Fact]
    public async Task Private_state_is_the_agents_own_memory_across_steps()
    {
        var counter = Agent.Create("counter", (input, context) =>
        {
            var n = context.PrivateState.Get<int>("seen") + 1;
            context.SetPrivateState("seen", Payload.From(n));
            return AgentResult.Success(Payload.From(n));
        });
        var snoop = Agent.Create("snoop", (input, context) =>
            AgentResult.Success($"shared names: [{string.Join(",", context.State.Names)}], private names: [{string.Join(",", context.PrivateState.Names)}], sees counter's: {context.State.TryGet("seen", out _)}"));
        var workflow = new StateMachineBuilder("loop")
            .State("count", counter)
            .State("look", snoop)
            .Transition("count", "count", o => o.Output.Get<int>() < 3, "n < 3")
            .Transition("count", "look")
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x");

        Assert.Equal("shared names: [], private names: [], sees counter's: False", result.Output!.AsText());
        Assert.Equal(4, result.StepCount);
    }

    [Fact]
    public async Task Another_agents_private_state_cannot_be_written_through_shared_state()
    {
        var sneaky = Agent.Create("sneaky", (input, context) =>
        {
            context.SetState("~counter/seen", Payload.From(99));
            return AgentResult.Success(input);
        });
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(SequentialBuilder.Create("s", sneaky), "x");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("reserved for private state", result.Error!.Message, StringComparison.Ordinal);
    }
}
