using Baton.AI;
using Microsoft.Extensions.AI;

namespace Baton.AI.Tests.Mcp;

/// <summary>Starts the test MCP server once for the class, over stdio.</summary>
public sealed class McpServerFixture : IAsyncLifetime
{
    public McpToolSource Source { get; private set; } = null!;

    /// <summary>The test server's entry assembly, built beside this one (same configuration).</summary>
    public static string ServerPath
    {
        get
        {
            var here = new DirectoryInfo(AppContext.BaseDirectory); // tests/Baton.AI.Tests/bin/<config>/<tfm>/
            var configuration = here.Parent!.Name;
            var tests = here.Parent.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(tests, "Baton.McpTestServer", "bin", configuration, here.Name, "Baton.McpTestServer.dll");
        }
    }

    public async Task InitializeAsync() =>
        Source = await McpToolSource.StartStdioAsync(new McpStdioServerOptions { Name = "test", Command = "dotnet", Arguments = [ServerPath] });

    public async Task DisposeAsync() => await Source.DisposeAsync();
}

public sealed class McpToolSourceTests(McpServerFixture server) : IClassFixture<McpServerFixture>
{
    [Fact]
    public void The_servers_tools_are_listed_with_their_descriptions_and_schemas()
    {
        var names = server.Source.Tools.Select(t => t.Name).Order().ToArray();
        Assert.Equal(["add", "die", "echo", "fail", "pid"], names);
        var add = server.Source.Tools.Single(t => t.Name == "add");
        Assert.Equal("Adds two integers.", add.Description);
        Assert.Contains("\"a\"", add.JsonSchema.GetRawText());
    }

    [Fact]
    public async Task A_tool_runs_on_the_server()
    {
        var add = server.Source.Tools.Single(t => t.Name == "add");
        var result = await add.InvokeAsync(new AIFunctionArguments { ["a"] = 2, ["b"] = 40 }).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains("42", result?.ToString());
    }

    [Fact]
    public async Task A_tool_error_surfaces_as_an_error_the_model_agent_feeds_back()
    {
        var fail = server.Source.Tools.Single(t => t.Name == "fail");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => fail.InvokeAsync(new AIFunctionArguments { ["reason"] = "testing" }).AsTask().WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("tool 'fail' failed", error.Message);
    }

    [Fact]
    public async Task A_server_that_cannot_start_gives_a_clear_error_quickly()
    {
        var error = await Assert.ThrowsAsync<AgentException>(() => McpToolSource.StartStdioAsync(new McpStdioServerOptions
        {
            Name = "missing",
            Command = "/nonexistent/mcp-server",
            StartTimeout = TimeSpan.FromSeconds(10),
        }).WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal((ErrorKind.Fatal, "mcp_unavailable"), (error.Kind, error.Code));
        Assert.Contains("'missing'", error.Message);
    }
}
