using Baton.Reports;
using Baton.Storage;
using Baton.Yaml;

namespace Baton.Yaml.Tests.Building;

/// <summary>A <c>plan</c> step's skills that are <c>tools:</c> of the file: agent tools, approvals, MCP servers.</summary>
public sealed class PlanToolFileTests
{
    private static string McpServerPath => McpTestServer.Path;

    private const string Desk = """
        version: 1
        models:
          planner:
            provider: scripted
            rules:
              - match: "was refused"
                reply: '{"steps": [{"id": "find", "skill": "lookup", "args": {"input": "A-1"}, "dependsOn": []}], "output": "find"}'
              - match: "Goal"
                reply: '{"steps": [{"id": "find", "skill": "lookup", "args": {"input": "A-1"}, "dependsOn": []}, {"id": "pay", "skill": "refund", "args": {"input": {"order": "A-1", "found": {"$ref": "find"}}}, "dependsOn": ["find"]}], "output": "pay"}'
        tools:
          refund: { agent: payments, description: "Refunds an order.", approval: required }
        agents:
          lookup: { template: "order {{ input }}: paid 30", description: "Finds an order." }
          payments: { template: "refunded 30 on order {{ input.order }}" }
        workflow:
          plan: { planner: planner, skills: [lookup, refund] }
        """;

    [Fact]
    public async Task A_plan_calling_an_approval_tool_waits_and_runs_it_once_when_yes_comes_in_another_runtime()
    {
        var built = FileRuns.Build(Desk);
        var (store, runId, request, result) = await FileRuns.WaitThenAnswerElsewhereAsync(FileRuns.Build(Desk).Workflow, built.Workflow, Payload.FromText("refund order A-1"), "yes");

        Assert.Contains("Allow the tool 'refund' to run with", request.Prompt, StringComparison.Ordinal);
        Assert.Contains("order A-1: paid 30", request.Prompt, StringComparison.Ordinal);
        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("refunded 30 on order A-1", result.Output!.AsText());
        var journal = await store.ReadJournalAsync(runId);
        // The lookup before the suspension did not run again, and the refund ran once.
        Assert.Single(journal, e => e.Kind == JournalEntryKind.StepCompleted && e.Key == "2:plan/2:execute/find/1:lookup");
        Assert.Single(journal, e => e.Kind == JournalEntryKind.StepCompleted && e.Key == "2:plan/2:execute/pay/1:refund");
        var report = await new RunReportBuilder(store).BuildAsync(runId, built.Workflow);
        Assert.Contains(report.Steps, s => s.Path.StartsWith("plan/execute/pay", StringComparison.Ordinal) && s.Status == "succeeded");
    }

    [Fact]
    public async Task A_refused_tool_makes_the_plan_step_re_plan_without_it()
    {
        var (store, runId, _, result) = await FileRuns.WaitThenAnswerAsync(FileRuns.Build(Desk).Workflow, Payload.FromText("refund order A-1"), "no");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("order A-1: paid 30", result.Output!.AsText());
        var journal = await store.ReadJournalAsync(runId);
        Assert.DoesNotContain(journal, e => e.Kind == JournalEntryKind.StepCompleted && e.Payload?.AsText().Contains("refunded", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task An_mcp_servers_tools_are_skills_of_a_plan()
    {
        var built = FileRuns.Build($$"""
            version: 1
            models:
              planner:
                provider: scripted
                replies:
                  - '{"steps": [{"id": "sum", "skill": "add", "args": {"a": 2}, "dependsOn": []}], "output": "sum"}'
                  - '{"steps": [{"id": "sum", "skill": "add", "args": {"a": 2, "b": 40}, "dependsOn": []}, {"id": "say", "skill": "echo", "args": {"text": "done"}, "dependsOn": ["sum"]}], "output": "sum"}'
            tools:
              math: { mcp: { command: dotnet, args: ["{{McpServerPath.Replace("\\", "/", StringComparison.Ordinal)}}"] } }
            workflow:
              plan: { planner: planner, skills: [math] }
            """);
        await using var runtime = new BatonRuntime();
        var run = runtime.Start(built.Workflow, Payload.FromText("add 2 and 40"));

        var result = await run.Completion;

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("42", result.Output!.AsText());
    }

    [Fact]
    public void A_skill_naming_neither_an_agent_nor_a_tool_gets_a_did_you_mean_among_tools()
    {
        var errors = FileRuns.Errors("""
            version: 1
            models:
              planner: { provider: scripted, replies: ["{}"] }
            tools:
              refund: { agent: payments, description: "Refunds an order.", approval: required }
            agents:
              payments: { template: "x" }
            workflow:
              plan: { planner: planner, skills: [refnud] }
            """);

        var error = Assert.Single(errors);
        Assert.Equal((9, 38), (error.Line, error.Column));
        Assert.Equal("there is no agent or tool 'refnud'; did you mean 'refund'?", error.Message);
    }
}
