using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Baton.AgentFramework.Tests;

public sealed class WorkflowAsAIAgentTests
{
    private static Workflow Report() => new SequentialBuilder("report")
        .Then(Agent.Create("research", topic => $"findings on {topic}"))
        .Then(Agent.Create("write", findings => $"report from {findings}"))
        .Build();

    [Fact]
    public async Task RunAsync_runs_the_workflow_and_answers_with_its_output()
    {
        await using var runtime = new BatonRuntime();
        AIAgent agent = Report().AsAIAgent(runtime);
        var session = await agent.CreateSessionAsync();

        var response = await agent.RunAsync("AI agents", session);

        Assert.Equal("report", agent.Name);
        Assert.Equal("report from findings on AI agents", response.Text);
        var runId = Assert.IsType<string>(response.AdditionalProperties![WorkflowAIAgent.RunIdProperty]);
        Assert.Equal("succeeded", response.AdditionalProperties[WorkflowAIAgent.StatusProperty]);
        Assert.Equal(RunStatus.Succeeded, (await runtime.Store.GetRunAsync(runId))!.Status);
        // The session remembers its runs, through serialization too.
        var restored = await agent.DeserializeSessionAsync(await agent.SerializeSessionAsync(session));
        Assert.Equal([runId], Assert.IsType<WorkflowAgentSession>(restored).RunIds);
    }

    [Fact]
    public async Task Streaming_gives_an_update_per_step_event_then_the_output()
    {
        await using var runtime = new BatonRuntime();
        var agent = Report().AsAIAgent(runtime);

        var updates = new List<AgentResponseUpdate>();
        await foreach (var update in agent.RunStreamingAsync("AI agents")) updates.Add(update);

        var steps = updates.Where(u => u.RawRepresentation is RunEvent).Select(u => ($"{u.AdditionalProperties![WorkflowAIAgent.StatusProperty]}", u.AuthorName)).ToArray();
        Assert.Equal([("step_started", "research"), ("step_completed", "research"), ("step_started", "write"), ("step_completed", "write")], steps);
        Assert.All(updates.Take(updates.Count - 1), u => Assert.Equal("", u.Text));
        var response = updates.ToAgentResponse();
        Assert.Equal("report from findings on AI agents", response.Text);
    }

    [Fact]
    public async Task A_failed_run_throws_with_its_error_and_code()
    {
        var failing = SequentialBuilder.Create("broken", Agent.Create("fail", (_, _, _) =>
            new ValueTask<AgentResult>(AgentResult.Failure(new StepError(ErrorKind.Fatal, "no data") { Code = "no_data" }))));
        await using var runtime = new BatonRuntime();

        var error = await Assert.ThrowsAsync<WorkflowRunException>(() => failing.AsAIAgent(runtime).RunAsync("x"));

        Assert.Equal(RunStatus.Failed, error.Result.Status);
        Assert.Contains("no data (no_data)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_the_call_cancels_the_run()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var script = new AgentScript();
        var slow = script.Agent("slow").BlocksUntilCancelled(started);
        await using var runtime = new BatonRuntime();
        using var cancel = new CancellationTokenSource();
        var agent = SequentialBuilder.Create("slow", slow).AsAIAgent(runtime);
        var session = (WorkflowAgentSession)await agent.CreateSessionAsync();

        var call = agent.RunAsync("x", session, cancellationToken: cancel.Token);
        await started.Task;
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(RunStatus.Cancelled, (await runtime.Store.GetRunAsync(session.RunIds.Single()))!.Status);
    }

    [Fact]
    public async Task A_workflow_waiting_for_a_person_answers_with_the_question()
    {
        var ask = new WorkflowBuilder("approval").AddStep(new AskStep("approve", new HumanQuestion("Publish it?"))).Build();
        await using var runtime = new BatonRuntime();

        var response = await ask.AsAIAgent(runtime).RunAsync("draft");

        Assert.Equal("Publish it?", response.Text);
        Assert.Equal("waiting", response.AdditionalProperties![WorkflowAIAgent.StatusProperty]);
        // The run waits in the runtime: an answer continues it.
        var runId = (string)response.AdditionalProperties[WorkflowAIAgent.RunIdProperty]!;
        var run = runtime.GetActiveRun(runId)!;
        await runtime.Humans.AnswerAsync(Assert.Single(runtime.Humans.Pending).Id, "yes");
        Assert.Equal("yes", (await run.Completion).Output!.AsText());
    }

    [Fact]
    public async Task A_workflow_agent_and_a_MAF_agent_mix_inside_one_Baton_pipeline()
    {
        await using var runtime = new BatonRuntime();
        var client = new RecordingChatClient();
        var maf = new ChatClientAgent(client, name: "critic").AsBatonAgent();
        // The report workflow goes out as a MAF agent and comes back as a Baton agent, beside a native MAF agent.
        var reportAsMaf = Report().AsAIAgent(runtime, "reporter").AsBatonAgent();
        var pipeline = SequentialBuilder.Create("mixed", reportAsMaf, maf);

        var result = await runtime.RunAsync(pipeline, "AI agents");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("reply 1", result.Output!.AsText());
        Assert.Contains(client.Calls[0], m => m.Role == ChatRole.User && m.Text == "report from findings on AI agents");
    }
}
