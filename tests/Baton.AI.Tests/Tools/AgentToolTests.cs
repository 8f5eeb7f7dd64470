using System.Text.Json.Nodes;
using Baton.AI.Tests.Models;
using Baton.Reports;
using Baton.Storage.Sqlite;

namespace Baton.AI.Tests.Tools;

/// <summary>Agents (and workflows) called as tools: a child step of the calling step, journaled, never run twice.</summary>
public sealed class AgentToolTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("baton-agenttool-");
    private int _researched;

    public void Dispose()
    {
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }

    private IAgent Researcher() => Agent.Create("researcher", (input, _, _) =>
    {
        Interlocked.Increment(ref _researched);
        return ValueTask.FromResult(AgentResult.Success(Payload.FromText($"findings on {input.AsText()}")));
    });

    [Fact]
    public async Task The_model_calls_an_agent_with_text_and_gets_its_output_as_a_journaled_child_step()
    {
        var client = new RecordingChatClient(new ScriptedChatClient(new ScriptedModelOptions
        {
            Replies = [ScriptedReply.ToolCall("research", new JsonObject { ["input"] = "agents" }), ScriptedReply.FromText("Report on agents.")],
        }));
        var writer = new ModelAgent("writer", client, new ModelAgentOptions { Tools = [AgentTool.Create(Researcher(), "Researches a topic.", "research")] });
        await using var runtime = new BatonRuntime();
        var workflow = new SequentialBuilder("report").Then(writer).Build();

        var result = await runtime.RunAsync(workflow, Payload.FromText("write"));

        Assert.Equal("Report on agents.", result.Output!.AsText());
        Assert.Equal(["findings on agents"], RecordingChatClient.ToolResults(client.Requests[1]));
        var report = await new RunReportBuilder(runtime.Store).BuildAsync(result.RunId, workflow);
        var call = Assert.Single(report.Steps, s => s.Parent == "writer");
        Assert.Equal("research", call.Id);
        Assert.StartsWith("writer/tool-research-", call.Path);
        Assert.Equal("""{"result":"findings on agents"}""", call.Output?.AsText());
    }

    [Fact]
    public async Task A_resumed_run_does_not_run_a_completed_agent_tool_call_again()
    {
        // The writer researches, then needs approval to publish: the run suspends after the research completed.
        ScriptedChatClient Model() => new(new ScriptedModelOptions
        {
            ModelId = "writer-model",
            Replies =
            [
                ScriptedReply.ToolCall("research", new JsonObject { ["input"] = new JsonObject { ["topic"] = "agents" } }),
                ScriptedReply.ToolCall("publish", new JsonObject { ["title"] = "Agents" }),
                ScriptedReply.FromText("Published."),
            ],
        });
        var published = 0;
        Workflow Build() => new SequentialBuilder("writing").Then(new ModelAgent("writer", Model(), new ModelAgentOptions
        {
            Tools =
            [
                AgentTool.Create(Researcher(), "Researches a topic.", "research"),
                new ApprovalRequiredTool(Microsoft.Extensions.AI.AIFunctionFactory.Create((string title) => $"published {title} #{Interlocked.Increment(ref published)}", "publish", "Publishes.")),
            ],
        })).Build();
        var path = Path.Combine(_dir.FullName, "runs.db");

        string runId;
        await using (var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path }))
        await using (var first = new BatonRuntime(new BatonOptions { Store = store }))
        {
            var waiting = await first.RunAsync(Build(), Payload.FromText("write"));
            Assert.Equal(RunStatus.Waiting, waiting.Status);
            runId = waiting.RunId;
        }

        Assert.Equal(1, _researched);
        await using (var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path }))
        await using (var second = new BatonRuntime(new BatonOptions { Store = store }))
        {
            second.Register(Build());
            var answered = await second.Humans.AnswerAsync(Assert.Single(await second.Humans.ListOpenAsync(runId)).Id, "yes");
            var result = await answered.Run!.Completion;
            Assert.Equal(RunStatus.Succeeded, result.Status);
            Assert.Equal("Published.", result.Output!.AsText());
        }

        Assert.Equal(1, _researched);
        Assert.Equal(1, published);
    }

    [Fact]
    public async Task A_failing_agent_tool_is_an_error_the_model_reads()
    {
        var broken = Agent.Create("broken", (_, _, _) => ValueTask.FromResult(AgentResult.Failure(new StepError(ErrorKind.Fatal, "no sources") { Code = "empty" })));
        var client = new RecordingChatClient(new ScriptedChatClient(new ScriptedModelOptions
        {
            Replies = [ScriptedReply.ToolCall("broken", new JsonObject { ["input"] = "x" }), ScriptedReply.FromText("Could not research.")],
        }));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new SequentialBuilder("w").Then(new ModelAgent("writer", client, new ModelAgentOptions { Tools = [AgentTool.Create(broken, "Breaks.")] })).Build(), Payload.FromText("go"));

        Assert.Equal("Could not research.", result.Output!.AsText());
        Assert.Equal(["Error: tool 'broken' failed: no sources"], RecordingChatClient.ToolResults(client.Requests[1]));
    }

    [Fact]
    public async Task A_step_timing_out_while_its_agent_tool_runs_fails_with_timeout_and_does_not_cancel_the_run()
    {
        var time = new FakeTime();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hangs = Agent.Create("slow", async (_, _, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return AgentResult.Success(Payload.Empty);
        });
        var client = new ScriptedChatClient(new ScriptedModelOptions { Replies = [ScriptedReply.ToolCall("slow", new JsonObject { ["input"] = "x" }), ScriptedReply.FromText("never")] });
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time, Limits = RunLimits.Default with { Timeout = null } });
        var writer = new ModelAgent("writer", client, new ModelAgentOptions { Tools = [AgentTool.Create(hangs, "Hangs.")] });
        var run = runtime.Start(new SequentialBuilder("slow").Then(writer, timeout: TimeSpan.FromSeconds(30), retry: RetryPolicy.None).Build(), Payload.FromText("go"));

        await started.Task;
        time.Advance(TimeSpan.FromSeconds(31));
        var result = await run.Completion;

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("timeout", result.Error!.Code);
    }
}
