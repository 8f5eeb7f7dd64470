namespace Baton.Tests.Patterns;

public sealed class ManagerWorkerTests
{
    private static IAgent Specialist(string name, string answer) =>
        Agent.Create(name, input => Payload.FromText($"{answer} ({input.Get<RouteTask>()!.Task})"));

    [Fact]
    public async Task The_classifier_routes_to_the_matching_specialist_with_the_managers_context()
    {
        RouteTask? seen = null;
        var classifier = Agent.Create("manager", _ => Payload.From(new { route = "Math", context = "the user is a student" }));
        var math = Agent.Create("mathematician", input =>
        {
            seen = input.Get<RouteTask>();
            return Payload.FromText("4");
        });
        var workflow = new ManagerWorkerBuilder("desk")
            .Classify(classifier)
            .Route("code", Specialist("coder", "code"))
            .Route("math", math)
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "2+2?");

        Assert.Equal("4", result.Output!.AsText());
        Assert.Equal("2+2?", seen!.Task.AsText());
        Assert.Equal("math", seen.Route);
        Assert.Equal("the user is a student", seen.Context!.AsText());
        Assert.Equal(1, seen.Attempt);
    }

    [Fact]
    public async Task A_rejected_answer_goes_to_the_next_specialist_with_the_reason()
    {
        RouteTask? second = null;
        var junior = Specialist("junior", "draft");
        var senior = Agent.Create("senior", input =>
        {
            second = input.Get<RouteTask>();
            return Payload.FromText("tested code");
        });
        var workflow = new ManagerWorkerBuilder("desk")
            .Classify(_ => "code")
            .Route("code", junior, senior)
            .Validate(answer => answer.Output.AsText().Contains("tested", StringComparison.Ordinal) ? null : "no tests")
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "write a parser");

        Assert.Equal("tested code", result.Output!.AsText());
        Assert.Equal(2, second!.Attempt);
        var rejection = Assert.Single(second.Rejections);
        Assert.Equal(("junior", "no tests"), (rejection.Specialist, rejection.Reason));
    }

    [Fact]
    public async Task A_validator_that_rejects_every_specialist_fails_the_step_with_each_reason()
    {
        var validator = Agent.Create("critic", input => Payload.FromText($"no: {input.Get<RouteAnswer>()!.Specialist} was vague"));
        var workflow = new ManagerWorkerBuilder("desk")
            .Classify(_ => "research")
            .Route("research", Specialist("a", "x"), Specialist("b", "y"), Specialist("c", "z"))
            .Validate(validator)
            .MaxAttempts(3)
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "why?");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("rejected", result.Error!.Code);
        Assert.Contains("a: no: a was vague; b: no: b was vague; c: no: c was vague", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(3, result.Partial!.AsJson().GetProperty("desk").GetArrayLength());
    }

    [Fact]
    public async Task The_attempt_limit_bounds_how_many_specialists_are_tried()
    {
        var calls = 0;
        IAgent Counting(string name) => Agent.Create(name, _ =>
        {
            Interlocked.Increment(ref calls);
            return Payload.FromText("meh");
        });
        var workflow = new ManagerWorkerBuilder("desk")
            .Classify(_ => "r")
            .Route("r", Counting("a"), Counting("b"), Counting("c"))
            .Validate(_ => "never good")
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task An_unknown_route_uses_the_default_or_fails_with_a_suggestion()
    {
        var builder = new ManagerWorkerBuilder("desk").Classify(_ => "reserch").Route("research", Specialist("r", "found")).Route("math", Specialist("m", "4"));
        await using var runtime = new BatonRuntime();

        var failed = await runtime.RunAsync(builder.Build(), "x");
        var defaulted = await runtime.RunAsync(builder.Default("math").Build(), "x");

        Assert.Equal("route", failed.Error!.Code);
        Assert.Contains("'reserch', which is none of the routes (research, math) (did you mean 'research'?)", failed.Error.Message, StringComparison.Ordinal);
        Assert.Equal("4 (x)", defaulted.Output!.AsText());
    }

    [Fact]
    public async Task A_failing_specialist_counts_as_a_rejection()
    {
        var broken = Agent.Create("broken", (_, _, _) => new ValueTask<AgentResult>(AgentResult.Failure(ErrorKind.Fatal, "crashed")));
        var workflow = new ManagerWorkerBuilder("desk").Classify(_ => "r").Route("r", broken, Specialist("backup", "ok")).Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x");

        Assert.Equal("ok (x)", result.Output!.AsText());
    }
}
