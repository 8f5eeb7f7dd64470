using System.Text.Json.Nodes;
using Baton.AI;
using Baton.Reports;
using Baton.Storage;
using Baton.Storage.Sqlite;
using Baton.AI.Tests.Models;
using Microsoft.Extensions.AI;

namespace Baton.AI.Tests.Tools;

/// <summary>
/// Tools that need a person's approval, in real runs on a durable store: yes runs the call once, anything else (or the
/// timeout) refuses it, and neither a restart nor a cancellation lets a call run unapproved or twice.
/// </summary>
public sealed class ToolApprovalTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("baton-approval-");
    private int _refunds;

    public void Dispose()
    {
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }

    private AIFunction Refund(TimeSpan? timeout = null) => new ApprovalRequiredTool(AIFunctionFactory.Create((int amount) =>
    {
        Interlocked.Increment(ref _refunds);
        return $"refunded {amount}";
    }, "refund", "Refunds the customer."), timeout);

    private static ScriptedChatClient Model() => new(new ScriptedModelOptions
    {
        ModelId = "desk",
        Replies = [ScriptedReply.ToolCall("refund", new JsonObject { ["amount"] = 30 }), ScriptedReply.FromText("Done: the refund was handled.")],
    });

    /// <summary>A support desk whose agent refunds behind approval; rebuilt per runtime, as a new process would.</summary>
    private Workflow Desk(RecordingChatClient client, TimeSpan? timeout = null) => new SequentialBuilder("desk")
        .Then(new ModelAgent("support", client, new ModelAgentOptions { Tools = [Refund(timeout)] }))
        .Build();

    private SqliteRunStore Store(TimeProvider? time = null) => new(new SqliteRunStoreOptions { Path = Path.Combine(_dir.FullName, "runs.db"), TimeProvider = time });

    [Fact]
    public async Task A_call_waits_for_approval_and_yes_given_after_a_restart_runs_it_once()
    {
        string runId;
        await using (var store = Store())
        await using (var first = new BatonRuntime(new BatonOptions { Store = store }))
        {
            var waiting = await first.RunAsync(Desk(new RecordingChatClient(Model())), Payload.FromText("refund my order"));
            Assert.Equal(RunStatus.Waiting, waiting.Status);
            runId = waiting.RunId;
            var request = Assert.Single(await first.Humans.ListOpenAsync(runId));
            Assert.Contains("'refund'", request.Prompt);
            Assert.Contains("\"amount\":30", request.Prompt);
            Assert.Equal(0, _refunds);
        }

        // A new runtime on the same file: the process that asked is gone.
        await using (var store = Store())
        await using (var second = new BatonRuntime(new BatonOptions { Store = store }))
        {
            var client = new RecordingChatClient(Model());
            second.Register(Desk(client));
            var answered = await second.Humans.AnswerAsync(Assert.Single(await second.Humans.ListOpenAsync(runId)).Id, " Yes ");
            var result = await answered.Run!.Completion;

            Assert.Equal(RunStatus.Succeeded, result.Status);
            Assert.Equal("Done: the refund was handled.", result.Output!.AsText());
            Assert.Equal(1, _refunds);
            Assert.Equal(["refunded 30"], RecordingChatClient.ToolResults(client.Requests[^1]));
            var report = await new RunReportBuilder(store).BuildAsync(runId, Desk(client));
            var call = Assert.Single(report.Steps, s => s.Parent == "support");
            Assert.Equal("succeeded", call.Status);
            Assert.StartsWith("support/tool-refund-", call.Path);
        }

        // Resuming the finished run again runs nothing again.
        await using (var store = Store())
        await using (var third = new BatonRuntime(new BatonOptions { Store = store }))
        {
            Assert.Empty(await third.Humans.ListOpenAsync(runId));
            Assert.Equal(RunStatus.Succeeded, (await store.GetRunAsync(runId))!.Status);
            Assert.Equal(1, _refunds);
        }
    }

    [Fact]
    public async Task Any_answer_but_yes_refuses_the_call_and_the_model_is_told()
    {
        await using var store = Store();
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store });
        var client = new RecordingChatClient(Model());
        var desk = Desk(client);
        runtime.Register(desk);
        var waiting = await runtime.RunAsync(desk, Payload.FromText("refund my order"));
        var answered = await runtime.Humans.AnswerAsync(Assert.Single(await runtime.Humans.ListOpenAsync(waiting.RunId)).Id, "no, not today");
        var result = await answered.Run!.Completion;

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(0, _refunds);
        var told = Assert.Single(RecordingChatClient.ToolResults(client.Requests[^1]));
        Assert.StartsWith("Error: the call to 'refund' was refused: a person answered 'no, not today'", told);
    }

    [Fact]
    public async Task An_approval_that_times_out_refuses_the_call()
    {
        var time = new FakeTime();
        await using var store = Store(time);
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store, TimeProvider = time, Limits = RunLimits.Default with { Timeout = null } });
        var client = new RecordingChatClient(Model());
        var desk = Desk(client, TimeSpan.FromMinutes(5));
        runtime.Register(desk);
        var waiting = await runtime.RunAsync(desk, Payload.FromText("refund my order"));
        Assert.Equal(RunStatus.Waiting, waiting.Status);

        var open = Assert.Single(await runtime.Humans.ListOpenAsync(waiting.RunId));
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(5), open.ExpiresAt);
        time.Advance(TimeSpan.FromMinutes(6));
        var resumed = Assert.Single(await runtime.Humans.ResumeExpiredAsync());
        var result = await resumed.Completion;

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(0, _refunds);
        Assert.StartsWith("Error: the call to 'refund' was refused: no approval came within 00:05:00", Assert.Single(RecordingChatClient.ToolResults(client.Requests[^1])));
        var request = (await store.GetHumanRequestAsync(open.Id))!;
        Assert.Equal(HumanRequestStatus.Expired, request.Status);
        Assert.False((await runtime.Humans.AnswerAsync(request.Id, "yes")).Accepted);
        Assert.Equal(0, _refunds);
    }

    [Fact]
    public async Task An_approval_pending_when_the_run_is_cancelled_is_withdrawn_and_the_tool_never_runs()
    {
        // Held in memory, so the run is live (not suspended) when it is cancelled.
        await using var runtime = new BatonRuntime(new BatonOptions { HumanWaitInMemory = Timeout.InfiniteTimeSpan });
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = runtime.Start(Desk(new RecordingChatClient(Model())), Payload.FromText("refund my order"));
        _ = Task.Run(async () =>
        {
            await foreach (var e in run.WatchAsync())
            {
                if (e is StepWaitingForHumanEvent) asked.TrySetResult();
            }
        });
        await asked.Task;
        var request = Assert.Single(runtime.Humans.Pending);

        run.Cancel();
        var result = await run.Completion;

        Assert.Equal(RunStatus.Cancelled, result.Status);
        Assert.Equal(HumanRequestStatus.Withdrawn, (await runtime.Store.GetHumanRequestAsync(request.Id))!.Status);
        Assert.False((await runtime.Humans.AnswerAsync(request.Id, "yes")).Accepted);
        Assert.Equal(0, _refunds);
    }

    [Fact]
    public async Task Approvals_in_parallel_branches_and_a_nested_workflow_each_run_their_call_once()
    {
        Workflow Build() => new ParallelBuilder("branches")
            .Branch(new ModelAgent("left", new RecordingChatClient(Model()), new ModelAgentOptions { Tools = [Refund()] }), "left")
            .Branch("right", new SequentialBuilder("inner").Then(new ModelAgent("right", new RecordingChatClient(Model()), new ModelAgentOptions { Tools = [Refund()] })).Build())
            .Build();

        string runId;
        await using (var store = Store())
        await using (var first = new BatonRuntime(new BatonOptions { Store = store }))
        {
            var waiting = await first.RunAsync(Build(), Payload.FromText("refund both"));
            Assert.Equal(RunStatus.Waiting, waiting.Status);
            runId = waiting.RunId;
        }

        // Each restart answers what is open; the run asks each branch's question in turn, never twice.
        var answeredIds = new HashSet<string>();
        RunResult? result = null;
        for (var round = 0; round < 4 && result?.Status != RunStatus.Succeeded; round++)
        {
            await using var store = Store();
            await using var runtime = new BatonRuntime(new BatonOptions { Store = store });
            runtime.Register(Build());
            var open = await runtime.Humans.ListOpenAsync(runId);
            Assert.NotEmpty(open);
            foreach (var request in open)
            {
                Assert.True(answeredIds.Add(request.Id), $"{request.Id} was asked again");
                var answered = await runtime.Humans.AnswerAsync(request.Id, "yes");
                Assert.True(answered.Accepted, answered.Reason);
                if (answered.Run is { } handle) result = await handle.Completion;
            }
        }

        Assert.Equal(RunStatus.Succeeded, result!.Status);
        Assert.Equal(2, answeredIds.Count);
        Assert.Equal(2, _refunds);
    }
}
