using Baton.TestSupport;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Baton.Cli.Tests;

/// <summary><c>baton mcp FILE...</c> as an MCP client starts it: the real command over stdio, driven by the SDK's client.</summary>
public sealed class McpCommandTests : IDisposable
{
    /// <summary>A model that refuses the call (HTTP 400, not retried): the run fails.</summary>
    private const string Broken = """
        version: 1
        name: broken
        models:
          local:
            provider: scripted
            replies: ["never reached"]
            faults: [{ call: 1, status: 400 }]
        agents:
          write: { model: local, instructions: "Write." }
        workflow: write
        """;

    private readonly BatonCommand _baton = new();

    public void Dispose() => _baton.Dispose();

    private async Task<McpClient> StartAsync()
    {
        var broken = _baton.Write("broken.yaml", Broken);
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "baton",
            Command = BatonCli.Launcher.Program,
            Arguments = [.. BatonCli.Launcher.Prefix, "mcp", CommandTests.Sample("report.yaml"), CommandTests.Sample("approval.yaml"), broken, "--store", "runs.db"],
            WorkingDirectory = _baton.Folder,
            EnvironmentVariables = new Dictionary<string, string?> { ["BATON_STORE"] = null },
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await McpClient.CreateAsync(transport, cancellationToken: timeout.Token);
    }

    private static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    private static JsonNode Structured(CallToolResult result) => JsonNode.Parse(result.StructuredContent!.Value.GetRawText())!;

    [Fact]
    public async Task Each_file_is_a_tool_and_a_call_answers_with_the_runs_output()
    {
        await using var client = await StartAsync();

        var tools = await client.ListToolsAsync();
        var result = await client.CallToolAsync("ai-trends-report", new Dictionary<string, object?> { ["topic"] = "AI agents" });

        Assert.Equal(["ai-trends-report", "approval", "broken"], tools.Select(t => t.Name));
        var schema = JsonNode.Parse(tools[0].JsonSchema.GetRawText())!;
        Assert.Equal("string", schema["properties"]!["topic"]!["type"]!.GetValue<string>());
        Assert.Equal("AI trends", schema["properties"]!["topic"]!["default"]!.GetValue<string>());
        Assert.NotEqual(true, result.IsError);
        Assert.Equal("Report: adoption of AI agents is rising.", Text(result));
        // The run is durable, in the store the command was given.
        var runId = Structured(result)["runId"]!.GetValue<string>();
        var shown = await _baton.JsonAsync(0, "runs", "show", runId, "--json", "--store", "runs.db");
        Assert.Equal("succeeded", shown["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_failed_run_and_bad_arguments_are_tool_errors()
    {
        await using var client = await StartAsync();

        var failed = await client.CallToolAsync("broken");
        var bad = await client.CallToolAsync("approval", new Dictionary<string, object?> { ["topic"] = true, ["extra"] = 1 });

        Assert.True(failed.IsError);
        Assert.Equal("failed", Structured(failed)["status"]!.GetValue<string>());
        Assert.Matches("^run [0-9a-f]+ failed", Text(failed));
        Assert.True(bad.IsError);
        Assert.Contains("unknown input 'extra'", Text(bad), StringComparison.Ordinal);
        Assert.Contains("input 'topic' must be a string, not true", Text(bad), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_waiting_run_answers_its_id_and_question_and_baton_runs_answer_finishes_it()
    {
        await using var client = await StartAsync();

        var result = await client.CallToolAsync("approval");

        Assert.NotEqual(true, result.IsError);
        var structured = Structured(result);
        Assert.Equal("waiting", structured["status"]!.GetValue<string>());
        var runId = structured["runId"]!.GetValue<string>();
        Assert.StartsWith("Publish 'Draft of the Q3 release notes", structured["question"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains($"baton runs answer {runId} --value", Text(result), StringComparison.Ordinal);

        // The run let go of its lease when it suspended: another process answers it from the store and runs it to the end.
        var (exit, stdout, stderr) = await _baton.RunAsync("runs", "answer", runId, "--value", "yes", "--store", "runs.db");
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("Published after approval", stdout.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Standard_output_carries_nothing_but_the_protocol()
    {
        using var process = _baton.StartWithInput("mcp", CommandTests.Sample("report.yaml"), "--store", "runs.db");
        await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}""");
        await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"ai-trends-report","arguments":{}}}""");
        await process.StandardInput.FlushAsync();
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (lines.Count < 2 && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line) lines.Add(line);
        process.StandardInput.Close();
        var rest = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, process.ExitCode);
        Assert.Equal("", rest);
        Assert.All(lines, l => Assert.Equal("2.0", JsonNode.Parse(l)!["jsonrpc"]!.GetValue<string>()));
        Assert.Equal("Report: adoption of AI agents is rising.", JsonNode.Parse(lines[1])!["result"]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_files_or_with_a_bad_one_it_says_so_and_exits_2()
    {
        var bad = _baton.Write("bad.yaml", "version: 1\nname: bad\nworkflow: nobody\n");

        var (none, _, noneErr) = await _baton.RunAsync("mcp");
        var (invalid, stdout, invalidErr) = await _baton.RunAsync("mcp", bad, "--store", "runs.db");

        Assert.Equal(2, none);
        Assert.Contains("FILE or DIR", noneErr, StringComparison.Ordinal);
        Assert.Equal(2, invalid);
        Assert.Equal("", stdout);
        Assert.Contains("bad.yaml:3:", invalidErr, StringComparison.Ordinal);
    }
}
