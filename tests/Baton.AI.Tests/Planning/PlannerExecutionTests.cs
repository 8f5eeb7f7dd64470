using System.Collections.Concurrent;
using Baton.AI.Planning;
using Baton.Storage;

namespace Baton.AI.Tests.Planning;

public sealed class PlannerExecutionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private const string FanInPlan = """
        {"steps":[
          {"id":"cats","skill":"fetch","args":{"topic":"cats"},"dependsOn":[]},
          {"id":"dogs","skill":"fetch","args":{"topic":"dogs"},"dependsOn":[]},
          {"id":"both","skill":"join","args":{"left":{"$ref":"cats"},"right":{"$ref":"dogs","path":"title"}},"dependsOn":["cats","dogs"]}
        ],"output":"both"}
        """;

    [Fact]
    public async Task Independent_plan_steps_run_at_once_and_the_dependent_one_gets_their_outputs()
    {
        var arrived = 0;
        var bothFetching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var events = new ConcurrentQueue<string>();
        var fetch = Agent.Create("fetch", async (input, _, ct) =>
        {
            var topic = input.AsJson().GetProperty("topic").GetString()!;
            events.Enqueue("start " + topic);
            // Each fetch waits for the other to start: only concurrent execution gets past this.
            if (Interlocked.Increment(ref arrived) == 2) bothFetching.SetResult();
            await bothFetching.Task.WaitAsync(ct);
            events.Enqueue("end " + topic);
            return AgentResult.Success(topic == "cats" ? Payload.FromText("CATS") : Payload.ParseJson("""{"title":"DOGS"}"""));
        });
        var skills = new SkillRegistry()
            .Add("fetch", "Fetches a topic.", fetch, """{"type":"object","properties":{"topic":{"type":"string"}},"required":["topic"]}""")
            .Add("join", "Joins two texts.", Agent.Create("join", input =>
            {
                events.Enqueue("join");
                var args = input.AsJson();
                return Payload.FromText($"{args.GetProperty("left").GetString()} & {args.GetProperty("right").GetString()}");
            }), """{"type":"object","properties":{"left":{"type":"string"},"right":{"type":"string"}},"required":["left","right"]}""");
        var chat = new FakeChatClient(FanInPlan);
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(Planner.Build("research", chat, skills), "compare cats and dogs").WaitAsync(Patience);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("CATS & DOGS", result.Output!.AsText());
        Assert.Equal("join", events.Last());
        Assert.Equal(["start cats", "start dogs"], events.Take(2).Order());
        Assert.Single(chat.Requests);
        // The plan is the plan step's journaled output; the skills ran as nodes under the execute step.
        var journal = await runtime.Store.ReadJournalAsync(result.RunId);
        var planEntry = journal.Single(e => e.Key == "1:plan");
        Assert.Equal("compare cats and dogs", Plan.FromPayload(planEntry.Payload!).Goal);
        Assert.Contains(journal, e => e.Key == "2:execute/both/1:join");
    }

    [Fact]
    public async Task A_resumed_run_reuses_the_journaled_plan_and_the_completed_steps()
    {
        var calls = new ConcurrentQueue<string>();
        var crash = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var crashNow = 1;
        SkillRegistry Registry() => new SkillRegistry()
            .Add("fetch", "Fetches a topic.", Agent.Create("fetch", input =>
            {
                var topic = input.AsJson().GetProperty("topic").GetString()!;
                calls.Enqueue(topic);
                return topic == "cats" ? Payload.FromText("CATS") : Payload.ParseJson("""{"title":"DOGS"}""");
            }), """{"type":"object"}""")
            .Add("join", "Joins.", Agent.Create("join", async (input, _, ct) =>
            {
                calls.Enqueue("join");
                if (Interlocked.Exchange(ref crashNow, 0) == 1)
                {
                    crash.SetResult();
                    await Task.Delay(Timeout.Infinite, ct); // the process "dies" here
                }

                return AgentResult.Success(input.AsText());
            }), """{"type":"object"}""");
        var firstChat = new FakeChatClient(FanInPlan);
        await using var first = new BatonRuntime();
        var doomed = first.Start(Planner.Build("research", firstChat, Registry()), "goal");
        await crash.Task.WaitAsync(Patience);
        var store = await CopyJournalAsync(first.Store, doomed.RunId);
        doomed.Cancel();

        // A model that is never asked: the plan comes from the journal.
        var secondChat = new FakeChatClient();
        await using var second = new BatonRuntime(new BatonOptions { Store = store });
        var resumed = await (await second.ResumeAsync(doomed.RunId, Planner.Build("research", secondChat, Registry()))).Completion.WaitAsync(Patience);

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal("""{"left":"CATS","right":"DOGS"}""", resumed.Output!.AsText());
        Assert.Single(firstChat.Requests);
        Assert.Empty(secondChat.Requests);
        Assert.Equal(1, calls.Count(c => c == "cats"));
        Assert.Equal(1, calls.Count(c => c == "dogs"));
        Assert.Equal(2, calls.Count(c => c == "join"));
    }

    [Fact]
    public async Task A_run_whose_planner_never_makes_a_valid_plan_fails_with_invalid_plan()
    {
        var bad = """{"steps":[{"id":"s1","skill":"nope","args":{}}]}""";
        var chat = new FakeChatClient(bad, bad);
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(Planner.Build("p", chat, Skills.Create(), new PlannerOptions { MaxReplans = 1 }), "goal").WaitAsync(Patience);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("invalid_plan", result.Error!.Code);
        Assert.Equal(2, chat.Requests.Count);
    }

    [Fact]
    public async Task Delegate_skills_get_their_arguments_and_outputs_flow_by_reference()
    {
        var plan = """
            {"steps":[
              {"id":"s1","skill":"search","args":{"query":"cats","count":3},"dependsOn":[]},
              {"id":"s2","skill":"summarize","args":{"text":{"$ref":"s1"},"words":10},"dependsOn":["s1"]}
            ],"output":null}
            """;
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(Planner.Build("p", new FakeChatClient(plan), Skills.Create()), "goal").WaitAsync(Patience);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("""{"s1":"result(cats,3)","s2":"summary(result(cats,3),10)"}""", result.Output!.AsText());
    }

    [Fact]
    public async Task A_referenced_output_that_does_not_fit_the_schema_fails_the_step_that_uses_it()
    {
        var plan = """
            {"steps":[
              {"id":"s1","skill":"fetch","args":{},"dependsOn":[]},
              {"id":"s2","skill":"search","args":{"query":{"$ref":"s1","path":"items"}},"dependsOn":["s1"]},
              {"id":"s3","skill":"search","args":{"query":{"$ref":"s1","path":"missing"}},"dependsOn":["s1"]}
            ]}
            """;
        var skills = Skills.Create().Add("fetch", "Fetches.", Agent.Create("fetch", _ => Payload.FromText("""{"items":[1,2]}""")), """{"type":"object"}""");
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(Planner.Build("p", new FakeChatClient(plan), skills), "goal").WaitAsync(Patience);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("node_input", result.Error!.Code);
        // Whichever of the two failed first is the cause; each says what is wrong.
        Assert.True(
            result.Error.Message.Contains("node 's2' failed", StringComparison.Ordinal) && result.Error.Message.Contains("#/query: string expected", StringComparison.Ordinal)
            || result.Error.Message.Contains("node 's3' failed", StringComparison.Ordinal) && result.Error.Message.Contains("has no 'missing'", StringComparison.Ordinal),
            result.Error.Message);
        Assert.Equal("""{"items":[1,2]}""", result.Partial!.AsJson().GetProperty("execute").GetProperty("s1").GetString());
    }

    [Fact]
    public async Task A_plan_that_fails_while_running_is_replaced_with_one_made_from_the_failure()
    {
        var flakyCalls = 0;
        var skills = Skills.Create().Add("flaky", "Often down.", Agent.Create("flaky", (_, _, _) =>
        {
            Interlocked.Increment(ref flakyCalls);
            return new ValueTask<AgentResult>(AgentResult.Failure(ErrorKind.Recoverable, "service down"));
        }), """{"type":"object"}""");
        var first = """{"steps":[{"id":"a","skill":"search","args":{"query":"q"}},{"id":"b","skill":"flaky","args":{},"dependsOn":["a"]}],"output":"b"}""";
        var second = """{"steps":[{"id":"c","skill":"summarize","args":{"text":"result(q,1)","words":3}}],"output":"c"}""";
        var chat = new FakeChatClient(first, second);
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(Planner.Build("p", chat, skills, new PlannerOptions { MaxExecutionReplans = 1 }), "the goal").WaitAsync(Patience);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("summary(result(q,1),3)", result.Output!.AsText());
        Assert.Equal(1, flakyCalls);
        var replanRequest = chat.LastMessageOf(1);
        Assert.Contains("Goal:\nthe goal", replanRequest, StringComparison.Ordinal);
        Assert.Contains("node 'b' failed: service down", replanRequest, StringComparison.Ordinal);
        Assert.Contains("\"a\":\"result(q,1)\"", replanRequest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replanning_after_failures_stops_at_its_limit()
    {
        var skills = Skills.Create().Add("flaky", "Always down.", Agent.Create("flaky", (_, _, _) =>
            new ValueTask<AgentResult>(AgentResult.Failure(ErrorKind.Recoverable, "service down"))), """{"type":"object"}""");
        var plan = """{"steps":[{"id":"b","skill":"flaky","args":{}}],"output":"b"}""";
        var chat = new FakeChatClient(plan, plan, plan);
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(Planner.Build("p", chat, skills, new PlannerOptions { MaxExecutionReplans = 1 }), "goal").WaitAsync(Patience);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("plan_failed", result.Error!.Code);
        Assert.Contains("service down", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(2, chat.Requests.Count);
    }

    /// <summary>What a crash leaves: a fresh store holding the run's journal so far, its lease expired.</summary>
    private static async Task<InMemoryRunStore> CopyJournalAsync(IRunStore source, string runId)
    {
        var record = await source.GetRunAsync(runId) ?? throw new InvalidOperationException("no run");
        var journal = await source.ReadJournalAsync(runId);
        var copy = new InMemoryRunStore();
        var lease = await copy.CreateRunAsync(record with { Status = RunStatus.Running }, "crashed", TimeSpan.Zero);
        foreach (var entry in journal) await copy.AppendAsync(lease, entry);
        return copy;
    }
}
