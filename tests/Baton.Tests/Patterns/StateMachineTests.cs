namespace Baton.Tests.Patterns;

public sealed class StateMachineTests
{
    [Fact]
    public async Task Research_loops_while_confidence_is_below_the_threshold()
    {
        using var script = new AgentScript();
        var research = script.Agent("research").Returns("draft 1").Returns("draft 2").Returns("draft 3");
        var analyze = script.Agent("analyze")
            .Then((input, _, _) => new ValueTask<AgentResult>(AgentResult.Success($"{input}: weak", 0.4)))
            .Then((input, _, _) => new ValueTask<AgentResult>(AgentResult.Success($"{input}: better", 0.6)))
            .Then((input, _, _) => new ValueTask<AgentResult>(AgentResult.Success($"{input}: solid", 0.9)));
        var write = script.Agent("write").Then((input, _, _) => new ValueTask<AgentResult>(AgentResult.Success($"report on {input}")));
        var workflow = new StateMachineBuilder("research-loop")
            .State("research", research)
            .State("analyze", analyze)
            .State("write", write)
            .Transition("research", "analyze")
            .Transition("analyze", "research", o => o.Confidence < 0.7, "confidence < 0.7")
            .Transition("analyze", "write")
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "agents");

        Assert.Equal("report on draft 3: solid", result.Output!.AsText());
        Assert.Equal(7, result.StepCount);
        Assert.Contains("-->|\"confidence #lt; 0.7\"|", workflow.ToMermaid(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_loop_that_never_ends_stops_at_the_step_limit_with_a_clear_error()
    {
        var spin = Agent.Identity("spin");
        var workflow = new StateMachineBuilder("forever").State("spin", spin).Transition("spin", "spin").Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x", new RunOptions { Limits = new RunLimits { MaxSteps = 50 } })
            .WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("step_limit", result.Error!.Code);
        Assert.Contains("limit of 50 steps at step 'spin' (51:spin)", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(51, result.StepCount);
    }

    [Fact]
    public async Task Transitions_can_read_state_written_by_the_step_and_end_explicitly()
    {
        var count = Agent.Create("count", (input, context, _) =>
        {
            context.SetState("n", Payload.From(context.State.Get<int>("n") + 1));
            return new ValueTask<AgentResult>(AgentResult.Success(input));
        });
        var workflow = new StateMachineBuilder("counter")
            .State("count", count)
            .Transition("count", StateMachineBuilder.End, o => o.State.Get<int>("n") >= 3, "n >= 3")
            .Transition("count", "count")
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(3, result.StepCount);
    }

    [Fact]
    public async Task A_failing_state_can_route_to_a_recovery_state()
    {
        var flaky = Agent.Create("fetch", (_, _, _) => new ValueTask<AgentResult>(AgentResult.Failure(ErrorKind.Recoverable, "404")));
        var recover = Agent.Create("recover", input => Payload.FromText("recovered from " + input.AsJson().GetProperty("error").GetProperty("message").GetString()));
        var workflow = new StateMachineBuilder("m").State("fetch", flaky).State("recover", recover).OnError("fetch", "recover").Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x");

        Assert.Equal("recovered from 404", result.Output!.AsText());
    }
}
