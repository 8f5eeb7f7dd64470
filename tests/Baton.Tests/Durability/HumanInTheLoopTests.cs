using System.Collections.Concurrent;
using Baton.Storage;

namespace Baton.Tests.Durability;

/// <summary>
/// Asking steps on a store that outlives the runtime: the run suspends (status Waiting, nothing held in memory),
/// and an answer given through another runtime — another process, after a restart — resumes and finishes it.
/// Two runtimes over one store stand for two processes here; the cross-process test with SQLite is in Baton.Storage.Tests.
/// </summary>
public sealed class HumanInTheLoopTests
{
    private static readonly ConcurrentDictionary<string, int> Calls = new();

    private static Workflow Approval(string name, TimeSpan? timeout = null, string? schema = null)
    {
        var draft = Agent.Create("draft", input => Payload.FromText($"draft of {input.AsText()}"));
        var publish = Agent.Create("publish", (input, _, _) =>
        {
            Calls.AddOrUpdate(name, 1, (_, n) => n + 1);
            return new ValueTask<AgentResult>(AgentResult.Success(Payload.FromText($"published ({input.AsText()})")));
        });
        var fallback = Agent.Create("fallback", input => Payload.FromText("escalated: " + input.Get<System.Text.Json.Nodes.JsonObject>()!["error"]!["code"]));
        var ask = new AskStep("approve", (input, _) => new HumanQuestion($"Publish '{input.AsText()}'?", schema is null ? ["yes", "no"] : null)
        {
            Timeout = timeout,
            AnswerSchema = schema,
        });
        return new WorkflowBuilder(name)
            .AddStep(draft)
            .AddStep(ask)
            .AddStep(publish)
            .AddStep(fallback)
            .AddEdge("draft", "approve")
            .AddEdge("approve", "publish")
            .OnError("approve", "fallback")
            .Build();
    }

    [Fact]
    public async Task A_run_suspends_on_a_durable_store_and_an_answer_in_another_runtime_finishes_it()
    {
        var store = new InMemoryRunStore();
        var workflow = Approval("suspend-" + Guid.NewGuid().ToString("N"));
        string runId;
        await using (var first = new BatonRuntime(new BatonOptions { Store = store, HumanWaitInMemory = TimeSpan.Zero }))
        {
            var suspended = await first.RunAsync(workflow, "release notes");
            Assert.Equal(RunStatus.Waiting, suspended.Status);
            Assert.Null(first.GetActiveRun(suspended.RunId));
            runId = suspended.RunId;
        }

        var record = (await store.GetRunAsync(runId))!;
        Assert.Equal(RunStatus.Waiting, record.Status);
        Assert.Null(record.LeaseOwner);
        var request = Assert.Single(await store.ListHumanRequestsAsync(runId));
        Assert.Equal("Publish 'draft of release notes'?", request.Prompt);

        await using var second = new BatonRuntime(new BatonOptions { Store = store, HumanWaitInMemory = TimeSpan.Zero });
        second.Register(workflow);
        var rejected = await second.Humans.AnswerAsync(request.Id, "maybe");
        Assert.False(rejected.Accepted);
        Assert.Contains("not one of the choices", rejected.Reason);
        Assert.Equal(RunStatus.Waiting, (await store.GetRunAsync(runId))!.Status);

        var answered = await second.Humans.AnswerAsync(request.Id, " YES ");
        Assert.True(answered.Accepted);
        Assert.Equal("yes", answered.Value);
        var result = await answered.Run!.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("published (yes)", result.Output!.AsText());
        Assert.Equal(1, Calls[workflow.Name]);
        var journal = await store.ReadJournalAsync(runId);
        Assert.Single(journal, e => e.StepId == "draft" && e.Kind == JournalEntryKind.StepCompleted);
        Assert.Equal(HumanRequestStatus.Answered, (await store.GetHumanRequestAsync(request.Id))!.Status);
        Assert.False((await second.Humans.AnswerAsync(request.Id, "no")).Accepted);
    }

    [Fact]
    public async Task An_answer_recorded_where_the_workflow_is_unknown_is_found_by_whoever_resumes()
    {
        var store = new InMemoryRunStore();
        var workflow = Approval("later-" + Guid.NewGuid().ToString("N"));
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store, HumanWaitInMemory = TimeSpan.Zero });
        var suspended = await runtime.RunAsync(workflow, "notes");
        var request = Assert.Single(await runtime.Humans.ListOpenAsync(suspended.RunId));

        var answered = await runtime.Humans.AnswerAsync(request.Id, "no");
        Assert.True(answered.Accepted);
        Assert.Null(answered.Run); // this runtime does not know the workflow: the answer waits in the store

        var resumed = await runtime.ResumeAsync(suspended.RunId, workflow);
        var result = await resumed.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("published (no)", result.Output!.AsText());
        Assert.Empty(await runtime.Humans.ListOpenAsync());
    }

    [Fact]
    public async Task A_wait_that_times_out_takes_the_steps_error_route()
    {
        var time = new FakeTime();
        var store = new InMemoryRunStore(time);
        var workflow = Approval("expire-" + Guid.NewGuid().ToString("N"), timeout: TimeSpan.FromDays(7));
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store, TimeProvider = time, HumanWaitInMemory = TimeSpan.Zero });
        runtime.Register(workflow);
        var suspended = await runtime.RunAsync(workflow, "notes");
        Assert.Equal(RunStatus.Waiting, suspended.Status);
        Assert.Empty(await runtime.Humans.ResumeExpiredAsync());

        time.Advance(TimeSpan.FromDays(8));
        var late = await runtime.Humans.AnswerAsync(Assert.Single(await runtime.Humans.ListOpenAsync()).Id, "yes");
        Assert.False(late.Accepted);
        Assert.Contains("expired", late.Reason);

        var resumed = Assert.Single(await runtime.Humans.ResumeExpiredAsync());
        var result = await resumed.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("escalated: human_timeout", result.Output!.AsText());
    }

    [Fact]
    public async Task A_wait_held_in_memory_times_out_on_the_runs_clock()
    {
        var time = new FakeTime();
        var workflow = Approval("memory-expire-" + Guid.NewGuid().ToString("N"), timeout: TimeSpan.FromHours(1));
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time, Limits = RunLimits.Default with { Timeout = null } });
        var run = runtime.Start(workflow, "notes");
        await Voting.HumanEscalationTests.WaitingAsync(run);
        time.Advance(TimeSpan.FromHours(2));

        var result = await run.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("escalated: human_timeout", result.Output!.AsText());
    }

    [Fact]
    public async Task An_answer_schema_is_checked_by_the_configured_validator()
    {
        var workflow = Approval("schema-" + Guid.NewGuid().ToString("N"), schema: """{"type":"object","required":["approved"]}""");
        string? Validate(HumanRequest request, string answer) => answer.Contains("\"approved\"", StringComparison.Ordinal) ? null : "approved is required";
        await using var runtime = new BatonRuntime(new BatonOptions { HumanWaitInMemory = TimeSpan.Zero, AnswerValidator = Validate });
        runtime.Register(workflow);
        var suspended = await runtime.RunAsync(workflow, "notes");
        var request = Assert.Single(await runtime.Humans.ListOpenAsync(suspended.RunId));

        Assert.Contains("must be JSON", (await runtime.Humans.AnswerAsync(request.Id, "yes please")).Reason);
        Assert.Equal("approved is required", (await runtime.Humans.AnswerAsync(request.Id, """{"ok":true}""")).Reason);
        var answered = await runtime.Humans.AnswerAsync(request.Id, """{"approved":true}""");

        var result = await answered.Run!.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("""published ({"approved":true})""", result.Output!.AsText());
    }

    [Fact]
    public async Task Cancelling_a_resumed_run_withdraws_its_question()
    {
        var store = new InMemoryRunStore();
        var workflow = Approval("cancel-" + Guid.NewGuid().ToString("N"));
        await using var first = new BatonRuntime(new BatonOptions { Store = store, HumanWaitInMemory = TimeSpan.Zero });
        var suspended = await first.RunAsync(workflow, "notes");
        await using var second = new BatonRuntime(new BatonOptions { Store = store, HumanWaitInMemory = Timeout.InfiniteTimeSpan });

        var resumed = await second.ResumeAsync(suspended.RunId, workflow);
        await Voting.HumanEscalationTests.WaitingAsync(resumed);
        Assert.Equal(RunStatus.Waiting, (await store.GetRunAsync(suspended.RunId))!.Status);
        resumed.Cancel();
        var result = await resumed.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Cancelled, result.Status);
        Assert.Empty(await second.Humans.ListOpenAsync(suspended.RunId));
        var request = Assert.Single(await store.ListHumanRequestsAsync(suspended.RunId, openOnly: false));
        Assert.Equal(HumanRequestStatus.Withdrawn, request.Status);
    }

    [Fact]
    public async Task An_agent_can_ask_for_approval_mid_step_and_gets_the_same_answer_when_re_run()
    {
        var asked = 0;
        var tool = Agent.Create("send-mail", async (input, context, ct) =>
        {
            Interlocked.Increment(ref asked);
            var approval = await context.AskAsync(new HumanQuestion($"Send mail to {input.AsText()}?", ["send", "skip"]), ct);
            return AgentResult.Success(Payload.FromText($"{approval}: {input.AsText()}"));
        });
        var workflow = new SequentialBuilder("approve-tool-" + Guid.NewGuid().ToString("N")).Then(tool).Build();
        var store = new InMemoryRunStore();
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store, HumanWaitInMemory = TimeSpan.Zero });
        runtime.Register(workflow);

        var suspended = await runtime.RunAsync(workflow, "ops@example.org");
        var request = Assert.Single(await runtime.Humans.ListOpenAsync(suspended.RunId));
        var answered = await runtime.Humans.AnswerAsync(request.Id, "send");
        var result = await answered.Run!.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("send: ops@example.org", result.Output!.AsText());
        Assert.Equal(2, asked); // asked, suspended; re-run on resume found the answer without a new question
        Assert.Single(await store.ListHumanRequestsAsync(suspended.RunId, openOnly: false));
    }

    [Fact]
    public async Task An_agent_that_lets_cancellations_through_lets_a_suspension_through()
    {
        var careful = Agent.Create("careful", async (input, context, ct) =>
        {
            try
            {
                return AgentResult.Success(Payload.FromText(await context.AskAsync(new HumanQuestion("Proceed?", ["yes", "no"]), ct)));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return AgentResult.Failure(ErrorKind.Fatal, "swallowed: " + ex.Message);
            }
        });
        var workflow = new SequentialBuilder("careful-" + Guid.NewGuid().ToString("N")).Then(careful).Build();
        await using var runtime = new BatonRuntime(new BatonOptions { HumanWaitInMemory = TimeSpan.Zero });

        var result = await runtime.RunAsync(workflow, "go");

        Assert.Equal(RunStatus.Waiting, result.Status);
    }
}
