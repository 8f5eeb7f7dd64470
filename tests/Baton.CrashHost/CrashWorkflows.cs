namespace Baton.CrashHost;

/// <summary>
/// The workflows the crash tests and the soak kill: one per pattern, whose agents log every execution (to find steps
/// that ran again), record a side effect in an external ledger keyed by their idempotency key (to find effects made
/// twice or lost), and take a few milliseconds each, so a kill lands mid-run.
/// </summary>
public static class CrashWorkflows
{
    /// <summary>The topic the <c>events</c> shape publishes on; its child workflow is subscribed to it.</summary>
    public const string EventTopic = "soak.item";

    /// <summary>The shapes the crash tests kill by name.</summary>
    public static IReadOnlyList<string> Shapes { get; } = ["sequential", "parallel", "loop"];

    /// <summary>
    /// Every shape the soak kills: sequential, parallel, foreach, route, vote, state machine (loop), graph, event-started
    /// child runs, a person's answer (approval), the conversations (group chat, handoff) and a tool call that needs approval.
    /// </summary>
    public static IReadOnlyList<string> AllShapes { get; } = ["sequential", "parallel", "foreach", "route", "vote", "loop", "graph", "events", "approval", "groupchat", "handoff", "tool-approval"];

    /// <summary>A draft, a person's approval, and a publication: the human-in-the-loop shape.</summary>
    public static Workflow Approval(Action<string> executed) => Approval(new CrashEffects(executed));

    /// <summary>Builds a shape whose agents report each execution through <paramref name="executed"/>.</summary>
    public static Workflow Build(string shape, Action<string> executed) => Build(shape, new CrashEffects(executed));

    /// <summary>Builds a shape whose agents report executions and side effects through <paramref name="effects"/>.</summary>
    public static Workflow Build(string shape, CrashEffects effects) => shape switch
    {
        "sequential" => Sequential(effects),
        "parallel" => Parallel(effects),
        "loop" => Loop(effects),
        "approval" => Approval(effects),
        "foreach" => ForEach(effects),
        "route" => Route(effects),
        "vote" => Vote(effects),
        "graph" => Graph(effects),
        "events" => Events(effects),
        "tool-approval" => ToolApproval.Build(effects.Executed),
        "groupchat" => ConversationShapes.GroupChat(effects),
        "handoff" => ConversationShapes.Handoff(effects),
        _ => throw new ArgumentException($"unknown shape '{shape}'", nameof(shape)),
    };

    /// <summary>
    /// The workflow runs of <paramref name="shape"/> start on events (null for shapes that publish none): the runtime
    /// must subscribe it to <see cref="EventTopic"/> and know it, to resume its interrupted runs.
    /// </summary>
    public static Workflow? EventChild(string shape, CrashEffects effects) => shape == "events"
        ? SequentialBuilder.Create("crash-child", Work("c1", effects), Work("c2", effects), Work("c3", effects))
        : null;

    /// <summary>The answer the harness gives a shape's question (the approval shape asks one).</summary>
    public const string Answer = "yes";

    /// <summary>The input every crash run starts with.</summary>
    public static Payload Input => Payload.FromText("start");

    private static IAgent Work(string name, CrashEffects effects, Func<Payload, string>? output = null) => Agent.Create(name, async (input, context, ct) =>
    {
        await effects.ExecutedAsync(context.IdempotencyKey);
        // A few milliseconds, different per step but the same on every run, so the output never depends on timing.
        await Task.Delay(8 + context.Random.Next(12), ct);
        // The side effect, keyed by the idempotency key: a step re-run after a crash makes it again with the same key.
        effects.Effect(context.IdempotencyKey, context.RunId);
        context.SetState("trail", Payload.FromText(name));
        return AgentResult.Success(Payload.FromText(output?.Invoke(input) ?? $"{Text(input)}>{name}"));
    });

    // A route task or a graph's joined inputs arrive as JSON; the text of anything else.
    private static string Text(Payload input) =>
        input.Kind == PayloadKind.Json && input.AsJson().ValueKind == System.Text.Json.JsonValueKind.Object && input.AsJson().TryGetProperty("route", out _)
            ? input.Get<RouteTask>()!.Task.AsText()
            : input.AsText();

    private static Workflow Approval(CrashEffects effects) => new SequentialBuilder("approval")
        .Then(Work("draft", effects))
        .Then(new AskStep("approve", (input, _) => new HumanQuestion($"Publish {input.AsText()}?", ["yes", "no"])))
        .Then(Work("publish", effects))
        .Build();

    private static Workflow Sequential(CrashEffects effects)
    {
        var builder = new SequentialBuilder("crash-sequential");
        for (var i = 1; i <= 15; i++) builder.Then(Work($"s{i}", effects));
        return builder.Build();
    }

    private static Workflow Parallel(CrashEffects effects)
    {
        var branches = Enumerable.Range(1, 6)
            .Select(b => SequentialBuilder.Create($"branch{b}", Work($"b{b}a", effects), Work($"b{b}b", effects), Work($"b{b}c", effects)))
            .ToArray();
        var fan = new ParallelBuilder("fan");
        foreach (var branch in branches) fan.Branch(branch.Name, branch);
        return new SequentialBuilder("crash-parallel")
            .Then(Work("before", effects))
            .Then(fan.MergeWith(Merge.Concat).BuildStep())
            .Then(Work("after", effects))
            .Build();
    }

    private static Workflow Loop(CrashEffects effects)
    {
        var count = Agent.Create("count", async (input, context, ct) =>
        {
            await effects.ExecutedAsync(context.IdempotencyKey);
            await Task.Delay(8 + context.Random.Next(12), ct);
            effects.Effect(context.IdempotencyKey, context.RunId);
            var n = context.State.TryGet("n", out var v) ? v.Get<int>() : 0;
            context.SetState("n", Payload.From(n + 1));
            return AgentResult.Success(Payload.FromText($"{input.AsText()}>{n + 1}"));
        });
        return new StateMachineBuilder("crash-loop")
            .State("count", count)
            .State("done", Work("done", effects))
            .Transition("count", "count", o => o.State.TryGet("n", out var n) && n.Get<int>() < 20, "n < 20")
            .Transition("count", "done")
            .Build();
    }

    private static Workflow ForEach(CrashEffects effects)
    {
        var body = SequentialBuilder.Create("item", Work("fetch", effects), Work("summarise", effects));
        var items = Enumerable.Range(1, 8).Select(i => Payload.FromText($"item{i}")).ToArray();
        return new SequentialBuilder("crash-foreach")
            .Then(Work("plan", effects))
            .Then(new ForEachStep("each", body, _ => items) { Merge = Merge.Concat, MaxParallel = 3 })
            .Then(Work("report", effects))
            .Build();
    }

    private static Workflow Route(CrashEffects effects)
    {
        // The first specialist is always rejected, so every task takes two tries and a validation each.
        var route = new ManagerWorkerBuilder("manager")
            .Classify(task => task.AsText().EndsWith('1') ? "one" : "other")
            .Route("one", Work("junior", effects), Work("senior", effects))
            .Route("other", Work("novice", effects), Work("expert", effects))
            .Validate(answer => answer.Output.AsText().Contains(">junior", StringComparison.Ordinal) || answer.Output.AsText().Contains(">novice", StringComparison.Ordinal) ? "not good enough" : null)
            .BuildStep("route");
        return new SequentialBuilder("crash-route")
            .Then(Work("task1", effects))
            .Then(route)
            .Then(Work("task2", effects))
            .Build();
    }

    private static Workflow Vote(CrashEffects effects)
    {
        var voters = Enumerable.Range(1, 5).Select(v => Work($"voter{v}", effects, _ => v % 3 == 0 ? "reject" : "approve")).ToArray();
        return new SequentialBuilder("crash-vote")
            .Then(Work("propose", effects))
            .Then(new VoteBuilder("vote").Voters(voters).BuildStep("vote"))
            .Then(Work("announce", effects))
            .Build();
    }

    private static Workflow Graph(CrashEffects effects)
    {
        var graph = new GraphBuilder("graph")
            .Node("sales", Work("sales", effects))
            .Node("costs", Work("costs", effects))
            .Node("staff", Work("staff", effects))
            .Node("margin", Work("margin", effects), dependsOn: ["sales", "costs"], input: n => Payload.FromText($"{n.Dependencies["sales"].AsText()}+{n.Dependencies["costs"].AsText()}"))
            .Node("plan", Work("plan", effects), dependsOn: ["staff", "margin"], input: n => Payload.FromText($"{n.Dependencies["staff"].AsText()}+{n.Dependencies["margin"].AsText()}"))
            .Output("plan")
            .BuildStep("graph");
        return new SequentialBuilder("crash-graph").Then(Work("open", effects)).Then(graph).Then(Work("close", effects)).Build();
    }

    private static Workflow Events(CrashEffects effects)
    {
        // Each announce step publishes one event; every event starts a run of the child workflow.
        IAgent Announce(int n) => Agent.Create($"announce{n}", async (input, context, ct) =>
        {
            await effects.ExecutedAsync(context.IdempotencyKey);
            await Task.Delay(8 + context.Random.Next(12), ct);
            effects.Effect(context.IdempotencyKey, context.RunId);
            context.Publish(EventTopic, Payload.FromText($"event{n}"));
            return AgentResult.Success(Payload.FromText($"{input.AsText()}>announce{n}"));
        });
        return SequentialBuilder.Create("crash-events", Announce(1), Work("between", effects), Announce(2), Announce(3), Work("last", effects));
    }
}
