namespace Baton.Tests.Patterns;

/// <summary>What every pattern builder shares (name, limits, MaxParallel, Build) behaves the same in each.</summary>
public sealed class PatternBuilderTests
{
    private static readonly IAgent Echo = Agent.Identity("echo");

    /// <summary>Every pattern, each with the least it needs to build.</summary>
    public static TheoryData<string> Patterns => ["sequential", "parallel", "manager-worker", "state-machine", "graph", "vote"];

    [Theory]
    [MemberData(nameof(Patterns))]
    public void MaxParallel_of_zero_or_less_is_refused(string pattern)
    {
        foreach (var max in new[] { 0, -1, int.MinValue })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => SetMaxParallel(pattern, max));
            Assert.Equal("max", error.ParamName);
        }
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Limits_with_a_max_parallel_below_one_are_refused(string pattern)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SetLimits(pattern, RunLimits.Default with { MaxParallel = 0 }));
        Assert.Equal(nameof(RunLimits.MaxParallel), error.ParamName);
        Assert.Throws<ArgumentNullException>(() => SetLimits(pattern, null!));
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Limits_reach_the_built_workflow_and_the_builder_builds_again(string pattern)
    {
        var limits = new RunLimits { MaxSteps = 7 };
        var first = SetLimits(pattern, limits);
        Assert.Equal(pattern, first.Name);
        Assert.Same(limits, first.Limits);
    }

    [Fact]
    public void ForEach_refuses_a_max_parallel_below_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ParallelBuilder.ForEach("each", Echo, Echo, maxParallel: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParallelBuilder.ForEach("each", Echo, Echo, maxParallel: -3));
        Assert.NotNull(ParallelBuilder.ForEach("each", Echo, Echo, maxParallel: 2));
    }

    [Fact]
    public void A_fan_out_graph_or_vote_applies_max_parallel_to_its_own_step()
    {
        var parallel = new ParallelBuilder("p").Branch(Echo).MaxParallel(3);
        Assert.Equal(3, parallel.BuildStep().MaxParallel);
        Assert.Null(parallel.Build().Limits);

        var graph = new GraphBuilder("g").Node("a", Echo).MaxParallel(2);
        Assert.Equal(2, graph.BuildStep().MaxParallel);
        Assert.Null(graph.Build().Limits);

        var vote = new VoteBuilder("v").Voter(Echo).MaxParallel(4);
        Assert.Equal(4, vote.BuildStep().MaxParallel);
        Assert.Null(vote.Build().Limits);
    }

    [Fact]
    public void A_pattern_of_one_step_at_a_time_applies_max_parallel_to_its_runs()
    {
        var limits = new RunLimits { MaxSteps = 9, MaxParallel = 8 };
        var sequential = new SequentialBuilder("s").Then(Echo).WithLimits(limits).MaxParallel(2).Build();
        Assert.Equal(limits with { MaxParallel = 2 }, sequential.Limits);

        var machine = new StateMachineBuilder("m").State("a", Echo).MaxParallel(3).Build();
        Assert.Equal(RunLimits.Default with { MaxParallel = 3 }, machine.Limits);

        var routing = new ManagerWorkerBuilder("r").Classify(_ => "x").Route("x", Echo).MaxParallel(1).Build();
        Assert.Equal(1, routing.Limits!.MaxParallel);
    }

    [Fact]
    public async Task A_bound_of_one_on_a_sequential_pipeline_holds_nested_branches_to_one_at_a_time()
    {
        var inside = 0;
        var most = 0;
        var worker = Agent.Create("work", async (Payload input, CancellationToken ct) =>
        {
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref most, now);
            await Task.Yield();
            Interlocked.Decrement(ref inside);
            return input;
        });
        var fanOut = new ParallelBuilder("fan").Branch(worker, "a").Branch(worker, "b").Branch(worker, "c").BuildStep();
        var workflow = new SequentialBuilder("bounded").Then(fanOut).MaxParallel(1).Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x").Within();

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(1, Volatile.Read(ref most));
    }

    [Fact]
    public void Names_are_required_and_kept()
    {
        Assert.Throws<ArgumentException>(() => new SequentialBuilder(" "));
        Assert.Throws<ArgumentException>(() => new ParallelBuilder(""));
        Assert.Throws<ArgumentException>(() => new ManagerWorkerBuilder(" "));
        Assert.Throws<ArgumentException>(() => new StateMachineBuilder(""));
        Assert.Throws<ArgumentException>(() => new GraphBuilder(" "));
        Assert.Throws<ArgumentException>(() => new VoteBuilder(""));
        Assert.Equal("route", new ManagerWorkerBuilder("route").Name);
        Assert.Equal("route", new ManagerWorkerBuilder("route").Classify(_ => "x").Route("x", Echo).BuildStep().Id);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen) return;
            seen = previous;
        }
    }

    private static Workflow SetMaxParallel(string pattern, int max) => pattern switch
    {
        "sequential" => new SequentialBuilder(pattern).Then(Echo).MaxParallel(max).Build(),
        "parallel" => new ParallelBuilder(pattern).Branch(Echo).MaxParallel(max).Build(),
        "manager-worker" => new ManagerWorkerBuilder(pattern).Classify(_ => "x").Route("x", Echo).MaxParallel(max).Build(),
        "state-machine" => new StateMachineBuilder(pattern).State("a", Echo).MaxParallel(max).Build(),
        "graph" => new GraphBuilder(pattern).Node("a", Echo).MaxParallel(max).Build(),
        "vote" => new VoteBuilder(pattern).Voter(Echo).MaxParallel(max).Build(),
        _ => throw new ArgumentOutOfRangeException(nameof(pattern)),
    };

    private static Workflow SetLimits(string pattern, RunLimits limits) => pattern switch
    {
        "sequential" => Twice(new SequentialBuilder(pattern).Then(Echo).WithLimits(limits).Build),
        "parallel" => Twice(new ParallelBuilder(pattern).Branch(Echo).WithLimits(limits).Build),
        "manager-worker" => Twice(new ManagerWorkerBuilder(pattern).Classify(_ => "x").Route("x", Echo).WithLimits(limits).Build),
        "state-machine" => Twice(new StateMachineBuilder(pattern).State("a", Echo).WithLimits(limits).Build),
        "graph" => Twice(new GraphBuilder(pattern).Node("a", Echo).WithLimits(limits).Build),
        "vote" => Twice(new VoteBuilder(pattern).Voter(Echo).WithLimits(limits).Build),
        _ => throw new ArgumentOutOfRangeException(nameof(pattern)),
    };

    private static Workflow Twice(Func<Workflow> build)
    {
        var first = build();
        var second = build();
        Assert.Equal(first.Limits, second.Limits);
        Assert.Equal(first.Steps.Select(s => s.Id), second.Steps.Select(s => s.Id));
        return first;
    }
}
