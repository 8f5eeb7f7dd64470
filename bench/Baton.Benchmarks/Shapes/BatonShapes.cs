namespace Baton.Benchmarks.Shapes;

/// <summary>
/// The benchmark shapes as Baton workflows, built once and run many times. Each shape says
/// what a correct run returns, so a benchmark can check one run before it measures thousands.
/// </summary>
public static class BatonShapes
{
    /// <summary>
    /// The runtime every suite measures: the in-memory store, keeping the last 64 finished runs.
    /// Its default of 1000 would hold hundreds of thousands of tiny journals across a benchmark's
    /// millions of runs, and the figures would measure the garbage collector walking them.
    /// </summary>
    public static BatonRuntime NewRuntime() => new(new BatonOptions { Store = new Storage.InMemoryRunStore(maxFinishedRuns: 64) });

    /// <summary>Room for the 1000-wide fan-out (1001 activations) and the loop (2000) above the default of 1000 steps.</summary>
    public static readonly RunLimits Roomy = new() { MaxSteps = 5000 };

    /// <summary>Lets all 1000 waiting workers hold a slot at once (the default is 16).</summary>
    public static readonly RunLimits Wide = new() { MaxSteps = 5000, MaxParallel = 1000 };

    /// <summary>A no-op agent: returns its input.</summary>
    public static IAgent NoOp(string name) => Agent.Identity(name);

    /// <summary>An agent that waits <paramref name="delay"/>, then returns its input.</summary>
    public static IAgent Delayed(string name, TimeSpan delay) =>
        Agent.Create(name, async (input, _, ct) =>
        {
            await Task.Delay(delay, ct).ConfigureAwait(false);
            return AgentResult.Success(input);
        });

    /// <summary>The no-op agents of a chain, or the workers of a fan-out.</summary>
    public static IAgent[] NoOps(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => NoOp($"{prefix}{i}")).ToArray();

    /// <summary>
    /// One parallel step with a branch per worker, joined by the default list merge
    /// (a JSON array of the outputs in branch order).
    /// </summary>
    public static Workflow FanOut(string name, IAgent[] workers, RunLimits limits)
    {
        var builder = new ParallelBuilder(name).WithLimits(limits);
        foreach (var worker in workers) builder.Branch(worker);
        return builder.Build();
    }

    /// <summary>
    /// A two-state machine: <c>count</c> adds one to the JSON number it gets, <c>check</c> passes
    /// it on and goes back to <c>count</c> while it is under <paramref name="iterations"/>.
    /// </summary>
    public static Workflow Loop(IAgent count, IAgent check, int iterations) => new StateMachineBuilder($"loop-{iterations}")
        .State("count", count)
        .State("check", check)
        .Transition("count", "check")
        .Transition("check", "count", when: outcome => outcome.Output.Get<int>() < iterations, label: $"< {iterations}")
        .WithLimits(Roomy)
        .Build();

    /// <summary>The loop's counting agent: the JSON number it gets, plus one.</summary>
    public static IAgent Increment() =>
        Agent.Create("count", static (input, _, _) => new ValueTask<AgentResult>(AgentResult.Success(Payload.From(input.Get<int>() + 1))));

    /// <summary>Two branches: a nested chain of <paramref name="chain"/> beside <paramref name="single"/>.</summary>
    public static Workflow UnevenBranches(IAgent[] chain, IAgent single) => new ParallelBuilder("uneven")
        .Branch("short-chain", SequentialBuilder.Create("short-chain", chain))
        .Branch(single)
        .Build();

    /// <summary>Runs <paramref name="workflow"/> once and throws unless it succeeded with <paramref name="expected"/>.</summary>
    public static async Task<RunResult> RunCheckedAsync(BatonRuntime runtime, Workflow workflow, Payload input, Func<Payload, bool> expected)
    {
        var result = await runtime.RunAsync(workflow, input).ConfigureAwait(false);
        if (!result.IsSuccess) throw new InvalidOperationException($"Baton {workflow.Name}: the run {result.Status}: {result.Error?.Message}");
        if (result.Output is null || !expected(result.Output)) throw new InvalidOperationException($"Baton {workflow.Name}: unexpected output {result.Output}");
        return result;
    }

    /// <summary>Checks a list merge: a JSON array of <paramref name="count"/> items.</summary>
    public static Func<Payload, bool> ArrayOf(int count) => output => output.AsJson() is { ValueKind: System.Text.Json.JsonValueKind.Array } json && json.GetArrayLength() == count;
}
