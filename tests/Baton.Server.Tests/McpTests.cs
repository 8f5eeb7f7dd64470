using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Baton.Storage;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Baton.Server.Tests;

/// <summary><c>/mcp</c>: the workflow files as MCP tools over Streamable HTTP, through the SDK's own client on a real Kestrel.</summary>
public sealed class McpTests
{
    /// <summary>A model that refuses the call (HTTP 400, not retried): the run fails.</summary>
    private const string Broken = """
        version: 1
        name: broken
        description: Its model refuses every call.
        models:
          local:
            provider: scripted
            replies: ["never reached"]
            faults: [{ call: 1, status: 400 }]
        agents:
          write: { model: local, instructions: "Write." }
        workflow: write
        """;

    private static Task<ServerHost> StartAsync(string? token = null) => ServerHost.StartAsync(token: token, moreFiles: [("broken.yaml", Broken)]);

    private static async Task<McpClient> ConnectAsync(ServerHost host, string? token = null)
    {
        var options = new HttpClientTransportOptions { Endpoint = new Uri(host.Client.BaseAddress!, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp };
        if (token is not null) options.AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" };
        return await McpClient.CreateAsync(new HttpClientTransport(options));
    }

    private static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    private static JsonNode Structured(CallToolResult result) => JsonNode.Parse(result.StructuredContent!.Value.GetRawText())!;

    [Fact]
    public async Task Every_workflow_file_is_a_tool_whose_input_schema_is_its_inputs()
    {
        await using var host = await StartAsync();
        await using var client = await ConnectAsync(host);

        var tools = await client.ListToolsAsync();

        Assert.Equal(["approval", "broken", "report", "secret", "slow"], tools.Select(t => t.Name));
        var report = tools.Single(t => t.Name == "report");
        Assert.Contains("Research, then write.", report.Description, StringComparison.Ordinal);
        var schema = JsonNode.Parse(report.JsonSchema.GetRawText())!;
        Assert.Equal("object", schema["type"]!.GetValue<string>());
        Assert.Equal("string", schema["properties"]!["topic"]!["type"]!.GetValue<string>());
        Assert.Equal("AI trends", schema["properties"]!["topic"]!["default"]!.GetValue<string>());
        Assert.Equal("number", schema["properties"]!["pages"]!["type"]!.GetValue<string>());
        Assert.Empty(schema["required"]!.AsArray());
        Assert.False(schema["additionalProperties"]!.GetValue<bool>());
        var approval = JsonNode.Parse(tools.Single(t => t.Name == "approval").JsonSchema.GetRawText())!;
        Assert.Equal(["topic"], approval["required"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task A_call_runs_the_workflow_durably_and_answers_with_its_output()
    {
        await using var host = await StartAsync();
        await using var client = await ConnectAsync(host);

        var result = await client.CallToolAsync("report", new Dictionary<string, object?> { ["topic"] = "AI agents", ["pages"] = 2 });

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("Report: adoption of AI agents is rising.", Text(result));
        var structured = Structured(result);
        Assert.Equal("succeeded", structured["status"]!.GetValue<string>());
        var runId = structured["runId"]!.GetValue<string>();
        var stored = await host.Store.GetRunAsync(runId);
        Assert.Equal(RunStatus.Succeeded, stored!.Status);
        Assert.Equal("report", stored.Workflow);
    }

    [Fact]
    public async Task A_failed_run_is_a_tool_error_carrying_the_runs_error()
    {
        await using var host = await StartAsync();
        await using var client = await ConnectAsync(host);

        var result = await client.CallToolAsync("broken");

        Assert.True(result.IsError);
        var structured = Structured(result);
        var runId = structured["runId"]!.GetValue<string>();
        Assert.Equal("failed", structured["status"]!.GetValue<string>());
        Assert.StartsWith($"run {runId} failed", Text(result), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(structured["error"]!["message"]!.GetValue<string>()));
        Assert.Contains(structured["error"]!["message"]!.GetValue<string>(), Text(result), StringComparison.Ordinal);
        Assert.Equal(RunStatus.Failed, (await host.Store.GetRunAsync(runId))!.Status);
    }

    [Fact]
    public async Task A_run_that_waits_for_a_person_answers_its_id_and_question_and_finishes_once_answered()
    {
        await using var host = await StartAsync();
        await using var client = await ConnectAsync(host);

        var result = await client.CallToolAsync("approval", new Dictionary<string, object?> { ["topic"] = "the launch" });

        Assert.NotEqual(true, result.IsError);
        var structured = Structured(result);
        Assert.Equal("waiting", structured["status"]!.GetValue<string>());
        var runId = structured["runId"]!.GetValue<string>();
        Assert.Equal("Publish 'Draft about the topic.'? (yes/no)", structured["question"]!.GetValue<string>());
        Assert.Equal(["yes", "no"], structured["choices"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Contains($"baton runs answer {runId}", Text(result), StringComparison.Ordinal);
        Assert.Equal(RunStatus.Waiting, (await host.Store.GetRunAsync(runId))!.Status);

        var (answered, _) = await host.PostAsync($"/api/runs/{runId}/answer", new JsonObject { ["value"] = "yes" });
        Assert.Equal(HttpStatusCode.Accepted, answered);
        var events = await host.ReadEventsAsync(runId, stop: e => e["type"]!.GetValue<string>() == "runEnded");
        Assert.Equal("succeeded", events[^1].Data["status"]!.GetValue<string>());
        var (_, report) = await host.GetAsync($"/api/runs/{runId}");
        Assert.Equal("succeeded", report!["status"]!.GetValue<string>());
        Assert.Equal("Published: yes", report["output"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_arguments_are_a_tool_error_naming_every_problem_and_start_nothing()
    {
        await using var host = await StartAsync();
        await using var client = await ConnectAsync(host);

        var wrong = await client.CallToolAsync("approval", new Dictionary<string, object?> { ["topic"] = 5, ["topc"] = "x" });
        var missing = await client.CallToolAsync("approval");
        var unknown = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("aproval").AsTask());

        Assert.True(wrong.IsError);
        Assert.Contains("unknown input 'topc'; did you mean 'topic'?", Text(wrong), StringComparison.Ordinal);
        Assert.Contains("input 'topic' must be a string, not 5", Text(wrong), StringComparison.Ordinal);
        Assert.Equal(2, Structured(wrong)["problems"]!.AsArray().Count);
        Assert.True(missing.IsError);
        Assert.Contains("input 'topic' is required", Text(missing), StringComparison.Ordinal);
        Assert.Contains("there is no tool 'aproval'; did you mean 'approval'?", unknown.Message, StringComparison.Ordinal);
        var secret = await client.CallToolAsync("secret");
        Assert.True(secret.IsError);
        Assert.Contains("BATON_SERVER_TESTS_UNSET_KEY", Text(secret), StringComparison.Ordinal);
        Assert.Equal("", await host.SnapshotAsync());
    }

    [Fact]
    public async Task With_a_token_mcp_needs_it_like_the_api()
    {
        await using var host = await StartAsync(token: "s3cret-token");

        var initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}""";
        foreach (var token in new string?[] { null, "wrong" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(initialize, Encoding.UTF8, "application/json") };
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Accept.ParseAdd("text/event-stream");
            if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await host.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal("unauthorized", body["error"]!["code"]!.GetValue<string>());
        }

        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(host));
        await using var client = await ConnectAsync(host, "s3cret-token");
        var result = await client.CallToolAsync("report");
        Assert.Equal("Report: adoption of AI agents is rising.", Text(result));
    }

    [Fact]
    public async Task Cancelling_a_call_interrupts_its_run_which_stays_resumable()
    {
        await using var host = await StartAsync();
        await using var client = await ConnectAsync(host);
        using var cancel = new CancellationTokenSource();

        var call = client.CallToolAsync("slow", cancellationToken: cancel.Token).AsTask();
        // The run is stored before its one-hour model call starts: wait for it to be there (bounded), then cancel.
        RunRecord? run = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(30); run is null && DateTime.UtcNow < deadline;)
        {
            run = (await host.Store.ListRunsAsync(new RunQuery { Workflow = "slow" })).SingleOrDefault();
            if (run is null) await Task.Delay(20);
        }

        Assert.NotNull(run);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        // Interrupted, not cancelled: the run stays in the store as running, and this server resumes it.
        var events = await host.ReadEventsAsync(run.RunId, stop: e => e["type"]!.GetValue<string>() == "runInterrupted");
        Assert.Equal("runInterrupted", events[^1].Data["type"]!.GetValue<string>());
        Assert.Equal(RunStatus.Running, (await host.Store.GetRunAsync(run.RunId))!.Status);
        var (resumed, _) = await host.PostAsync($"/api/runs/{run.RunId}/resume");
        Assert.Equal(HttpStatusCode.Accepted, resumed);
    }

    [Fact]
    public void Tool_names_keep_to_what_mcp_allows()
    {
        Assert.Equal("ai-trends.report_v2", Mcp.WorkflowTools.ToolName("ai-trends.report_v2"));
        Assert.Equal("r_sum_", Mcp.WorkflowTools.ToolName("résumé"));
        Assert.Equal(128, Mcp.WorkflowTools.ToolName(new string('a', 200)).Length);
        var schema = Mcp.WorkflowTools.InputSchema([new("count", "number", JsonValue.Create(3), false), new("name", "string", null, true)]);
        Assert.Equal("""{"type":"object","properties":{"count":{"type":"number","default":3},"name":{"type":"string"}},"required":["name"],"additionalProperties":false}""", JsonSerializer.Serialize(schema));
    }
}
