using System.Diagnostics;
using System.Text.Json.Nodes;
using Baton.AI.Tests.Models;

namespace Baton.AI.Tests.Mcp;

/// <summary>An MCP server per run: started once, shared by the run's agents, stopped when the run ends however it ends.</summary>
public sealed class McpRunToolSourceTests
{
    private static McpRunToolSource TestServer() => new(new McpStdioServerOptions { Name = "test", Command = "dotnet", Arguments = [McpServerFixture.ServerPath] });

    private static RecordingChatClient Model(params ScriptedReply[] replies) =>
        new(new ScriptedChatClient(new ScriptedModelOptions { ModelId = "m" + Guid.NewGuid().ToString("N"), Replies = replies }));

    private static ModelAgent Agent(string name, RecordingChatClient client, IToolSource source) => new(name, client, new ModelAgentOptions { ToolSources = [source] });

    private static int PidIn(RecordingChatClient client) => int.Parse(Assert.Single(RecordingChatClient.ToolResults(client.Requests[^1])), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task AssertStoppedAsync(int pid)
    {
        Process process;
        try
        {
            process = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return; // already gone
        }

        using (process) await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task The_run_starts_one_server_for_all_its_agents_and_stops_it_when_it_ends()
    {
        var source = TestServer();
        var first = Model(ScriptedReply.ToolCall("pid", new JsonObject()), ScriptedReply.FromText("first done"));
        var second = Model(ScriptedReply.ToolCall("pid", new JsonObject()), ScriptedReply.FromText("second done"));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new SequentialBuilder("two").Then(Agent("a", first, source)).Then(Agent("b", second, source)).Build(), Payload.FromText("go"));

        Assert.Equal("second done", result.Output!.AsText());
        Assert.Equal(PidIn(first), PidIn(second));
        await AssertStoppedAsync(PidIn(first));
    }

    [Fact]
    public async Task The_server_is_stopped_when_the_run_fails_or_is_cancelled()
    {
        var source = TestServer();
        var failing = Model(ScriptedReply.ToolCall("pid", new JsonObject()), ScriptedReply.FromText("ok"));
        await using var runtime = new BatonRuntime();
        var failed = await runtime.RunAsync(new SequentialBuilder("fails")
            .Then(Agent("a", failing, source))
            .Then(Baton.Agent.Create("boom", (_, _, _) => ValueTask.FromResult(AgentResult.Failure(new StepError(ErrorKind.Fatal, "boom")))))
            .Build(), Payload.FromText("go"));
        Assert.Equal(RunStatus.Failed, failed.Status);
        await AssertStoppedAsync(PidIn(failing));

        var cancelling = Model(ScriptedReply.ToolCall("pid", new JsonObject()), ScriptedReply.FromText("ok"));
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = runtime.Start(new SequentialBuilder("cancelled")
            .Then(Agent("a", cancelling, source))
            .Then(Baton.Agent.Create("wait", async (_, _, ct) =>
            {
                reached.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
                return AgentResult.Success(Payload.Empty);
            }))
            .Build(), Payload.FromText("go"));
        await reached.Task;
        run.Cancel();
        Assert.Equal(RunStatus.Cancelled, (await run.Completion).Status);
        await AssertStoppedAsync(PidIn(cancelling));
    }

    [Fact]
    public async Task A_command_that_does_not_exist_fails_the_step_with_a_clear_error()
    {
        var source = new McpRunToolSource(new McpStdioServerOptions { Name = "files", Command = "baton-no-such-mcp-server" });
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new SequentialBuilder("missing").Then(Agent("a", Model(ScriptedReply.FromText("never")), source)).Build(), Payload.FromText("go"));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("mcp_unavailable", result.Error!.Code);
        Assert.Contains("the MCP server 'files' (baton-no-such-mcp-server) could not be started: the command 'baton-no-such-mcp-server' was not found", result.Error.Message);
    }

    [Fact]
    public async Task A_server_that_dies_mid_call_is_a_tool_error_the_model_reads_and_the_run_goes_on()
    {
        var client = Model(
            ScriptedReply.ToolCall("die", new JsonObject()),
            ScriptedReply.ToolCall("echo", new JsonObject { ["text"] = "still there?" }),
            ScriptedReply.FromText("The tool server is down; I answer without it."));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new SequentialBuilder("dies").Then(Agent("a", client, TestServer())).Build(), Payload.FromText("go"));

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("The tool server is down; I answer without it.", result.Output!.AsText());
        var told = RecordingChatClient.ToolResults(client.Requests[^1]).ToArray();
        Assert.Equal(2, told.Length);
        Assert.StartsWith("Error: tool 'die' failed: the MCP server 'test' failed to run 'die'", told[0]);
        Assert.StartsWith("Error: tool 'echo' failed: the MCP server 'test' failed to run 'echo'", told[1]);
    }
}
