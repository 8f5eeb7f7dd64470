using System.Collections.Concurrent;
using System.Globalization;
using Baton.Storage;

namespace Baton.Tests.Properties;

/// <summary>
/// Compiles a <see cref="SequenceSpec"/> to one workflow through the public pattern builders, over agents that are
/// deterministic functions of their input (with an optional <see cref="Task.Yield"/> so branches interleave), and
/// runs or resumes it while counting every agent invocation by idempotency key and recording delivered events.
/// </summary>
internal sealed class MixedWorkflow
{
    /// <summary>Shared state every agent may append to (append reducer).</summary>
    public const string Log = "log";

    /// <summary>Shared state every agent may merge a property into (merge reducer), named by its own key.</summary>
    public const string Seen = "seen";

    /// <summary>Events go to topics under this prefix.</summary>
    public const string Topics = "props.";

    /// <summary>The agent direct messages go to (nobody reads them: they are journaled and delivered to its mailbox).</summary>
    public const string Inbox = "inbox";

    private static readonly string[] Answers = ["alpha", "beta", "gamma"];
    private readonly bool _yields;
    private ConcurrentDictionary<string, int> _invocations = new(StringComparer.Ordinal);
    private int _ids;

    public MixedWorkflow(SequenceSpec root, bool yields)
    {
        _yields = yields;
        var builder = new WorkflowBuilder("mixed").DeclareState(Log, StateReducer.Append).DeclareState(Seen, StateReducer.Merge);
        string? previous = null;
        foreach (var spec in root.Steps)
        {
            var step = Compile(spec);
            builder.AddStep(step);
            if (previous is not null) builder.AddEdge(previous, step.Id);
            previous = step.Id;
        }

        Workflow = builder.Build();
    }

    public Workflow Workflow { get; }

    public Task<MixedRun> RunAsync() => ExecuteAsync(new InMemoryRunStore(), resume: null);

    public Task<MixedRun> ResumeAsync(InMemoryRunStore store, string runId) => ExecuteAsync(store, runId);

    /// <summary>The same hash the agents use, for tests that predict an output.</summary>
    public static string Fnv(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text) hash = (hash ^ c) * 16777619u;
        return hash.ToString("x8", CultureInfo.InvariantCulture);
    }

    private static uint Number(string text) => uint.Parse(Fnv(text), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private async Task<MixedRun> ExecuteAsync(InMemoryRunStore store, string? resume)
    {
        _invocations = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var delivered = new ConcurrentQueue<string>();
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store, Limits = new RunLimits { MaxSteps = 100_000 } });
        runtime.Events.Subscribe(Topics + "*", "recorder", (message, _) =>
        {
            delivered.Enqueue(message.Id);
            return ValueTask.CompletedTask;
        });
        var result = resume is null
            ? await runtime.RunAsync(Workflow, "seed")
            : await (await runtime.ResumeAsync(resume, Workflow)).Completion;
        await runtime.Events.WhenIdleAsync();
        var history = await runtime.ReplayAsync(result.RunId, Workflow);
        return new MixedRun(result, await store.ReadJournalAsync(result.RunId), store, new Dictionary<string, int>(_invocations, StringComparer.Ordinal), [.. delivered], history.FinalState);
    }

    private string Name(string kind) => kind + (++_ids).ToString(CultureInfo.InvariantCulture);

    private Step Compile(StepSpec spec) => spec switch
    {
        LeafSpec leaf => new AgentStep(Leaf(Name("a"), leaf)),
        SequenceSpec sequence => new AgentStep(CompileWorkflow(sequence).AsAgent()),
        ParallelSpec parallel => CompileParallel(parallel),
        ForEachSpec forEach => CompileForEach(forEach),
        RouteSpec route => CompileRoute(route),
        VoteSpec vote => CompileVote(vote),
        CounterLoopSpec loop => CompileCounterLoop(loop),
        ReviewLoopSpec review => CompileReview(review),
        GraphSpec graph => CompileGraph(graph),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec, "unknown step spec"),
    };

    private Workflow CompileWorkflow(StepSpec spec)
    {
        if (spec is not SequenceSpec sequence) return new WorkflowBuilder(Name("w")).AddStep(Compile(spec)).Build();
        var builder = new SequentialBuilder(Name("w"));
        foreach (var step in sequence.Steps) builder.Then(Compile(step));
        return builder.Build();
    }

    private ParallelStep CompileParallel(ParallelSpec spec)
    {
        var builder = new ParallelBuilder(Name("p")).MergeWith(spec.ByName ? Merge.ByName : Merge.List);
        for (var i = 0; i < spec.Branches.Length; i++) builder.Branch("b" + i.ToString(CultureInfo.InvariantCulture), CompileWorkflow(spec.Branches[i]));
        return builder.BuildStep();
    }

    private Step CompileForEach(ForEachSpec spec)
    {
        var name = Name("fe");
        var body = CompileWorkflow(spec.Body);
        if (!spec.Decomposer) return new ForEachStep(name, body, input => Items(input).Select(Payload.FromText).ToArray());
        var split = Tracked(Name("split"), (input, _) => Payload.From(Items(input)));
        return new AgentStep(ParallelBuilder.ForEach(name, split, body.AsAgent()).AsAgent());
    }

    // One to three items, a function of the input alone.
    private static string[] Items(Payload input)
    {
        var text = input.AsText();
        var count = 1 + (int)(Number(text) % 3);
        return [.. Enumerable.Range(0, count).Select(i => Fnv(text + "#" + i.ToString(CultureInfo.InvariantCulture)))];
    }

    private Step CompileRoute(RouteSpec spec)
    {
        var name = Name("route");
        var last = new HashSet<string>(StringComparer.Ordinal);
        var builder = new ManagerWorkerBuilder(name).MaxAttempts(spec.Specialists.Length);
        builder.Classify(Tracked(Name("classify"), (input, _) => Payload.FromText("r" + (Number(input.AsText()) % (uint)spec.Routes).ToString(CultureInfo.InvariantCulture))));
        for (var r = 0; r < spec.Routes; r++)
        {
            var specialists = spec.Specialists.Select(s => CompileWorkflow(s).AsAgent()).ToArray();
            last.Add(specialists[^1].Name);
            builder.Route("r" + r.ToString(CultureInfo.InvariantCulture), specialists);
        }

        // Rejects about half the answers, never the route's last specialist's: the route always ends accepted.
        builder.Validate(Tracked(Name("validate"), (input, _) =>
        {
            var answer = input.Get<RouteAnswer>()!;
            var approved = last.Contains(answer.Specialist) || Number(answer.Output.AsText()) % 2 == 0;
            return Payload.From(new { approved, reason = approved ? null : "odd answer" });
        }));
        return builder.BuildStep();
    }

    private Step CompileVote(VoteSpec spec)
    {
        var name = Name("vote");
        var builder = new VoteBuilder(name).Strategy(VoteStrategy.Majority).OnTie(VoteTieRule.First);
        for (var i = 0; i < spec.Voters.Length; i++)
        {
            var voter = Name("voter");
            // Even voters answer from the input alone, so they agree; odd ones add their name, so some disagree.
            var salt = i % 2 == 0 ? string.Empty : voter;
            var answer = Tracked(Name("answer"), (input, _) => Payload.FromText(Answers[Number(input.AsText() + salt) % (uint)Answers.Length]));
            var workflow = spec.Voters[i] is { } body
                ? new SequentialBuilder(voter).Then(new AgentStep(CompileWorkflow(body).AsAgent())).Then(answer).Build()
                : new SequentialBuilder(voter).Then(answer).Build();
            builder.Voter(voter, workflow);
        }

        if (spec.Tally) builder.TallyTo("tally_" + name);
        return builder.BuildStep();
    }

    private Step CompileCounterLoop(CounterLoopSpec spec)
    {
        var name = Name("loop");
        var counter = "n_" + name;
        var tick = Tracked(Name("tick"), (input, context) =>
        {
            context.SetState(counter, Payload.From(context.State.Get<int>(counter) + 1));
            return input;
        });
        var iterations = spec.Iterations;
        var machine = new StateMachineBuilder(name)
            .State(new AgentStep(CompileWorkflow(spec.Body).AsAgent(), "body"))
            .State("tick", tick)
            .Transition("body", "tick")
            .Transition("tick", "body", o => o.State.Get<int>(counter) < iterations, $"{counter} < {iterations}")
            .Build();
        return new AgentStep(machine.AsAgent());
    }

    private Step CompileReview(ReviewLoopSpec spec)
    {
        var name = Name("review");
        // The machine's input may be any payload; from "start" on, every state passes a Draft along.
        var start = Tracked(Name("start"), (input, _) => Payload.From(new Draft(0, Fnv(input.AsText() + ">start"), Approved: false)));
        var draft = Tracked(Name("draft"), (input, _) =>
        {
            var current = input.Get<Draft>()!;
            return Payload.From(current with { Text = Fnv(current.Text + ">draft") });
        });
        var review = Tracked(Name("critic"), (input, _) =>
        {
            var current = input.Get<Draft>()!;
            var text = Fnv(current.Text + ">review");
            return Payload.From(new Draft(current.Round + 1, text, Approved: Number(text) % 4 == 0));
        });
        var rounds = spec.Rounds;
        var machine = new StateMachineBuilder(name)
            .State("start", start)
            .State("draft", draft)
            .State("review", review)
            .Transition("start", "draft")
            .Transition("draft", "review")
            .Transition("review", "draft", o => o.Output.Get<Draft>() is { Approved: false } d && d.Round < rounds, $"not approved and round < {rounds}")
            .Build();
        return new AgentStep(machine.AsAgent());
    }

    private GraphStep CompileGraph(GraphSpec spec)
    {
        var builder = new GraphBuilder(Name("graph"));
        for (var i = 0; i < spec.Nodes.Length; i++)
        {
            var mask = spec.Dependencies[i];
            var dependsOn = Enumerable.Range(0, i).Where(j => (mask & (1 << j)) != 0).Select(j => "n" + j.ToString(CultureInfo.InvariantCulture)).ToArray();
            builder.Node("n" + i.ToString(CultureInfo.InvariantCulture), CompileWorkflow(spec.Nodes[i]), dependsOn);
        }

        if (spec.LastIsOutput) builder.Output("n" + (spec.Nodes.Length - 1).ToString(CultureInfo.InvariantCulture));
        return builder.BuildStep();
    }

    private IAgent Leaf(string name, LeafSpec spec) => Tracked(name, (input, context) =>
    {
        var output = Fnv(input.AsText() + ">" + name);
        if (spec.Append) context.SetState(Log, Payload.From(output));
        if (spec.Merge) context.SetState(Seen, Payload.From(new Dictionary<string, string> { [Key(context)] = output }));
        if (spec.Publish)
        {
            context.Publish(Topics + name, Payload.FromText(output));
            context.Messaging.Send(Inbox, Payload.FromText(output));
        }

        return Payload.FromText(output);
    });

    // Every agent of the workflow: counted by idempotency key, and yielding first when asked so branches interleave.
    private IAgent Tracked(string name, Func<Payload, IStepContext, Payload> invoke) => Agent.Create(name, async (input, context, _) =>
    {
        _invocations.AddOrUpdate(Key(context), 1, static (_, n) => n + 1);
        if (_yields) await Task.Yield();
        return AgentResult.Success(invoke(input, context));
    });

    private static string Key(IStepContext context) => context.IdempotencyKey[(context.RunId.Length + 1)..];

    private sealed record Draft(int Round, string Text, bool Approved);
}
