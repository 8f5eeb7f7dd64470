namespace Baton.CrashHost;

/// <summary>
/// The workflows the crash tests kill: sequential, parallel and loop shapes whose agents log every execution
/// (to find steps that ran again) and take a few milliseconds each, so a kill lands mid-run.
/// </summary>
public static class CrashWorkflows
{
    /// <summary>The shapes by name.</summary>
    public static IReadOnlyList<string> Shapes { get; } = ["sequential", "parallel", "loop"];

    /// <summary>A draft, a person's approval, and a publication: the human-in-the-loop shape (not killed, suspended).</summary>
    public static Workflow Approval(Action<string> executed) => new SequentialBuilder("approval")
        .Then(Work("draft", executed))
        .Then(new AskStep("approve", (input, _) => new HumanQuestion($"Publish {input.AsText()}?", ["yes", "no"])))
        .Then(Work("publish", executed))
        .Build();

    /// <summary>Builds a shape whose agents report each execution through <paramref name="executed"/>.</summary>
    public static Workflow Build(string shape, Action<string> executed) => shape switch
    {
        "sequential" => Sequential(executed),
        "parallel" => Parallel(executed),
        "loop" => Loop(executed),
        "approval" => Approval(executed),
        "tool-approval" => ToolApproval.Build(executed),
        "groupchat" => ConversationShapes.GroupChat(executed),
        "handoff" => ConversationShapes.Handoff(executed),
        _ => throw new ArgumentException($"unknown shape '{shape}'", nameof(shape)),
    };

    private static IAgent Work(string name, Action<string> executed) => Agent.Create(name, async (input, context, ct) =>
    {
        executed(context.IdempotencyKey);
        // A few milliseconds, different per step but the same on every run, so the output never depends on timing.
        await Task.Delay(8 + context.Random.Next(12), ct);
        context.SetState("trail", Payload.FromText(name));
        return AgentResult.Success(Payload.FromText($"{input.AsText()}>{name}"));
    });

    private static Workflow Sequential(Action<string> executed)
    {
        var builder = new SequentialBuilder("crash-sequential");
        for (var i = 1; i <= 15; i++) builder.Then(Work($"s{i}", executed));
        return builder.Build();
    }

    private static Workflow Parallel(Action<string> executed)
    {
        var branches = Enumerable.Range(1, 6)
            .Select(b => SequentialBuilder.Create($"branch{b}", Work($"b{b}a", executed), Work($"b{b}b", executed), Work($"b{b}c", executed)))
            .ToArray();
        var fan = new ParallelBuilder("fan");
        foreach (var branch in branches) fan.Branch(branch.Name, branch);
        return new SequentialBuilder("crash-parallel")
            .Then(Work("before", executed))
            .Then(fan.MergeWith(Merge.Concat).BuildStep())
            .Then(Work("after", executed))
            .Build();
    }

    private static Workflow Loop(Action<string> executed)
    {
        var count = Agent.Create("count", async (input, context, ct) =>
        {
            executed(context.IdempotencyKey);
            await Task.Delay(8 + context.Random.Next(12), ct);
            var n = context.State.TryGet("n", out var v) ? v.Get<int>() : 0;
            context.SetState("n", Payload.From(n + 1));
            return AgentResult.Success(Payload.FromText($"{input.AsText()}>{n + 1}"));
        });
        return new StateMachineBuilder("crash-loop")
            .State("count", count)
            .State("done", Work("done", executed))
            .Transition("count", "count", o => o.State.TryGet("n", out var n) && n.Get<int>() < 20, "n < 20")
            .Transition("count", "done")
            .Build();
    }
}
