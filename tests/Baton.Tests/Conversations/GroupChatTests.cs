using Baton.Reports;
using Baton.Storage;

namespace Baton.Tests.Conversations;

public sealed class GroupChatTests
{
    private static readonly RunLimits NoDeadline = RunLimits.Default with { Timeout = null };

    /// <summary>A member that answers its name and how many messages it saw.</summary>
    private static IAgent Member(string name, List<Transcript>? seen = null) => Agent.Create(name, input =>
    {
        var transcript = Transcript.FromPayload(input);
        lock (seen ?? []) seen?.Add(transcript);
        return Payload.FromText($"{name} after {transcript.Messages.Count}");
    });

    [Fact]
    public async Task Members_take_turns_in_order_on_one_transcript_and_the_output_is_the_last_message()
    {
        var seen = new List<Transcript>();
        var workflow = new GroupChatBuilder("chat").Members(Member("writer", seen), Member("critic", seen)).MaxTurns(3).Build();
        var store = new InMemoryRunStore();
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store });

        var result = await runtime.RunAsync(workflow, "a poem about rain");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("writer after 2", result.Output!.AsText());
        Assert.Equal([0, 1, 2], seen.Select(t => t.Messages.Count));
        Assert.All(seen, t => Assert.Equal("a poem about rain", t.Task.AsText()));
        Assert.Equal(["writer", "critic"], seen[2].Messages.Select(m => m.From));
        Assert.Equal("critic after 1", seen[2].Messages[1].Text);
        var report = await new RunReportBuilder(store).BuildAsync(result.RunId, workflow);
        Assert.Equal(["chat", "chat/1/writer", "chat/2/critic", "chat/3/writer"], report.Steps.Select(s => s.Path));
        Assert.Equal(["writer", "critic", "writer"], report.Steps.Skip(1).Select(s => s.Agent));
        Assert.All(report.Steps.Skip(1), s => Assert.Equal("chat", s.Parent));
    }

    [Fact]
    public async Task A_template_agent_gets_the_transcript_as_task_and_messages()
    {
        Payload? input = null;
        var member = Agent.Create("echo", p =>
        {
            input = p;
            return Payload.FromText("said");
        });
        await using var runtime = new BatonRuntime();

        await runtime.RunAsync(new GroupChatBuilder("chat").Members(member).MaxTurns(2).Build(), Payload.From(new { topic = "rain" }));

        Assert.Equal("""{"task":{"topic":"rain"},"messages":[{"from":"echo","text":"said"}]}""", input!.ToString());
    }

    [Fact]
    public async Task A_manager_picks_each_speaker_and_ends_the_chat_with_done()
    {
        var picks = new Queue<string>(["critic", "writer", "done"]);
        var managerInputs = new List<Payload>();
        var manager = Agent.Create("host", input =>
        {
            managerInputs.Add(input);
            return Payload.FromText(picks.Dequeue());
        });
        var store = new InMemoryRunStore();
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store });
        var workflow = new GroupChatBuilder("chat").Members(Member("writer"), Member("critic")).Manager(manager).Build();

        var result = await runtime.RunAsync(workflow, "task");

        Assert.Equal("writer after 1", result.Output!.AsText());
        Assert.Equal(3, managerInputs.Count);
        var last = managerInputs[2].AsJson();
        Assert.Equal(["writer", "critic"], last.GetProperty("members").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, last.GetProperty("messages").GetArrayLength());
        Assert.Contains("Who speaks next?", last.GetProperty("prompt").GetString(), StringComparison.Ordinal);
        var report = await new RunReportBuilder(store).BuildAsync(result.RunId, workflow);
        Assert.Equal(["chat", "chat/next1/host", "chat/1/critic", "chat/next2/host", "chat/2/writer", "chat/next3/host"], report.Steps.Select(s => s.Path));
    }

    [Fact]
    public async Task A_manager_naming_a_non_member_is_asked_again_with_the_reason()
    {
        var prompts = new List<string>();
        var picks = new Queue<string>(["bob", "critic.", "done"]);
        var manager = Agent.Create("host", input =>
        {
            prompts.Add(input.AsJson().GetProperty("prompt").GetString()!);
            return Payload.FromText(picks.Dequeue());
        });
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new GroupChatBuilder("chat").Members(Member("writer"), Member("critic")).Manager(manager).Build(), "task");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("critic after 0", result.Output!.AsText());
        Assert.StartsWith("'bob' is not a member of this conversation", prompts[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manager_naming_a_non_member_twice_fails_the_step_with_unknown_member()
    {
        var manager = Agent.Create("host", _ => Payload.FromText("writter"));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new GroupChatBuilder("chat").Members(Member("writer"), Member("critic")).Manager(manager).Build(), "task");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("unknown_member", result.Error!.Code);
        Assert.Contains("named 'writter' twice", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'writer'", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Until_ends_the_chat_after_the_turn_where_it_holds_and_max_turns_bounds_it()
    {
        await using var runtime = new BatonRuntime();
        var until = await runtime.RunAsync(new GroupChatBuilder("chat").Members(Member("a"), Member("b"))
            .Until(p => p.Output.AsText().StartsWith('b') && p.Turn >= 4).Build(), "task");
        var bounded = await runtime.RunAsync(new GroupChatBuilder("chat").Members(Member("a"), Member("b")).Build(), "task");

        Assert.Equal("b after 3", until.Output!.AsText());
        Assert.Equal("b after 9", bounded.Output!.AsText()); // 10 turns by default
    }

    [Fact]
    public async Task A_member_that_throws_fails_the_chat_with_its_error_and_the_transcript_as_partial()
    {
        var broken = Agent.Create("critic", (Func<Payload, Payload>)(_ => throw new InvalidOperationException("critic crashed")));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new GroupChatBuilder("chat").Members(Member("writer"), broken).Build(), "task");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("critic crashed", result.Error!.Message, StringComparison.Ordinal);
        Assert.Equal("critic crashed", Assert.IsType<InvalidOperationException>(result.Error.Exception).Message);
    }

    [Fact]
    public async Task A_member_that_throws_is_left_out_when_the_chat_continues_on_member_failure()
    {
        var seen = new List<Transcript>();
        var broken = Agent.Create("critic", (Func<Payload, Payload>)(_ => throw new InvalidOperationException("critic crashed")));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new GroupChatBuilder("chat").Members(Member("writer", seen), broken)
            .OnMemberFailure(MemberFailure.Continue).MaxTurns(3).Build(), "task");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("writer after 1", result.Output!.AsText());
        Assert.Equal(["writer"], seen[1].Messages.Select(m => m.From));
    }

    [Fact]
    public async Task Cancelling_the_run_stops_the_member_speaking()
    {
        var speaking = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = Agent.Create("slow", async (_, _, ct) =>
        {
            speaking.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return AgentResult.Success("never");
        });
        await using var runtime = new BatonRuntime();
        var run = runtime.Start(new GroupChatBuilder("chat").Members(Member("fast"), slow).Build(), "task");

        await speaking.Task.WaitAsync(TimeSpan.FromSeconds(10));
        run.Cancel();
        var result = await run.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Cancelled, result.Status);
    }

    [Fact]
    public async Task The_steps_timeout_bounds_the_whole_chat()
    {
        var hanging = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hang = Agent.Create("hang", async (_, _, ct) =>
        {
            hanging.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return AgentResult.Success("never");
        });
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time, Limits = NoDeadline });
        var chat = new GroupChatStep("chat", [Member("a"), hang]) { Timeout = TimeSpan.FromSeconds(30) };

        var run = runtime.Start(new WorkflowBuilder("w").AddStep(chat).Build(), "task");
        // The chat's 30 s pass while its second turn hangs: the bound is on the whole chat, not a turn.
        await hanging.Task.Within();
        await time.AdvanceToTimerAsync(TimeSpan.FromSeconds(30));
        var result = await run.Completion.Within();

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("timeout", result.Error!.Code);
        Assert.Contains("step 'chat' timed out", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resumed_chat_replays_the_turns_that_completed_and_runs_none_again()
    {
        var runs = new List<string>();
        var block = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocking = true;
        IAgent Logged(string name) => Agent.Create(name, async (input, context, ct) =>
        {
            var transcript = Transcript.FromPayload(input);
            lock (runs) runs.Add($"{name}@{transcript.Messages.Count}");
            if (transcript.Messages.Count == 2 && blocking)
            {
                third.TrySetResult();
                await block.Task.WaitAsync(ct);
            }

            return AgentResult.Success(Payload.FromText($"{name}@{transcript.Messages.Count}"));
        });
        var workflow = new GroupChatBuilder("chat").Members(Logged("a"), Logged("b")).MaxTurns(4).Build();
        var store = new InMemoryRunStore();
        string runId;
        await using (var first = new BatonRuntime(new BatonOptions { Store = store }))
        {
            var run = first.Start(workflow, "task");
            runId = run.RunId;
            await third.Task.WaitAsync(TimeSpan.FromSeconds(10));
            run.Cancel(); // the process dies during the third turn
            await run.Completion.WaitAsync(TimeSpan.FromSeconds(10));
            await Durability.Interrupted.MarkAsync(store, runId);
        }

        blocking = false;
        runs.Clear();
        await using var second = new BatonRuntime(new BatonOptions { Store = store });
        var result = await (await second.ResumeAsync(runId, workflow)).Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(["a@2", "b@3"], runs);
        Assert.Equal("b@3", result.Output!.AsText());
    }

    [Fact]
    public void A_chat_is_checked_when_built()
    {
        Assert.Throws<InvalidOperationException>(() => new GroupChatBuilder("chat").Build());
        Assert.Throws<ArgumentException>(() => new GroupChatBuilder("chat").Members(Member("a"), Member("A")).Build());
        Assert.Throws<ArgumentException>(() => new GroupChatBuilder("chat").Members(Member("a")).Manager(Member("a")).Build());
        Assert.Throws<ArgumentOutOfRangeException>(() => new GroupChatBuilder("chat").MaxTurns(0));
    }
}
