using Baton.Storage;
using Baton.Yaml;
using Baton.Yaml.Providers;

namespace Baton.Yaml.Tests.Building;

/// <summary><c>tools:</c> in workflow files: agents as tools, MCP servers, approvals; and agents' <c>guardrails:</c>.</summary>
public sealed class ToolFileTests
{
    private static string McpServerPath => McpTestServer.Path;

    private const string Desk = """
        version: 1
        name: desk
        models:
          local:
            provider: scripted
            replies:
              - { tool: lookup, args: { input: "order 42" } }
              - { tool: refund, args: { input: { order: 42, amount: 30 } } }
              - "Refund of 30 for order 42 is done."
        tools:
          lookup: { agent: orders, description: "Finds an order." }
          refund: { agent: payments, description: "Refunds an order.", approval: required }
        agents:
          orders: { template: "order {{ input }}: paid 30" }
          payments: { template: "refunded {{ input.amount }} on order {{ input.order }}" }
          support:
            model: local
            instructions: "Help the customer."
            tools: [lookup, refund]
        workflow:
          sequential: [support]
        """;

    [Fact]
    public async Task An_agent_tool_runs_and_an_approval_tool_waits_for_yes_given_in_another_runtime()
    {
        var (store, runId, request, result) = await FileRuns.WaitThenAnswerElsewhereAsync(FileRuns.Build(Desk).Workflow, FileRuns.Build(Desk).Workflow, Payload.ParseJson("{}"), "yes");

        Assert.Contains("Allow the tool 'refund'", request.Prompt);
        Assert.Contains("\"amount\":30", request.Prompt);
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("Refund of 30 for order 42 is done.", result.Output!.AsText());
        var journal = await store.ReadJournalAsync(runId);
        // Each tool call completed once: the lookup before the suspension was not run again after it.
        Assert.Single(journal, e => e.Kind == JournalEntryKind.StepCompleted && e.StepId == "lookup");
        Assert.Single(journal, e => e.Kind == JournalEntryKind.StepCompleted && e.StepId == "refund" && e.Payload!.AsText().Contains("refunded 30 on order 42", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_approval_tells_the_model()
    {
        var (store, runId, _, result) = await FileRuns.WaitThenAnswerAsync(FileRuns.Build(Desk).Workflow, Payload.ParseJson("{}"), "no");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        var refund = (await store.ReadJournalAsync(runId)).Single(e => e.Kind == JournalEntryKind.StepCompleted && e.StepId == "refund");
        Assert.Equal("a person answered 'no'", refund.Payload!.AsJson().GetProperty("refused").GetString());
    }

    [Fact]
    public void A_tool_name_no_one_defines_is_an_error_where_the_agent_names_it()
    {
        var (built, errors) = WorkflowFile.Load("""
            version: 1
            models:
              local: { provider: scripted, replies: ["hi"] }
            tools:
              lookup: { agent: helper, description: "Looks up." }
            agents:
              helper: { template: "x" }
              support:
                model: local
                tools: [lookup, lookpu]
            workflow:
              sequential: [support]
            """, "desk.yaml", _ => null);

        Assert.Null(built);
        var error = Assert.Single(errors);
        Assert.Equal(("desk.yaml", 10, 21), (error.File, error.Line, error.Column));
        Assert.Contains("names tool 'lookpu', which is not defined", error.Message);
        Assert.Contains("lookup", error.Message);
    }

    [Theory]
    [InlineData("lookup: { agent: nobody, description: d }", "there is no agent 'nobody'")]
    [InlineData("lookup: { description: d }", "tool 'lookup' needs 'mcp' (an MCP server) or 'agent'")]
    [InlineData("lookup: { agent: helper, description: d, approval: maybe }", "'approval' is 'required' or 'never'")]
    [InlineData("lookup: { agent: helper, description: d, timeout: 5m }", "no 'approval: required'")]
    [InlineData("lookup: { agent: helper }", "tool 'lookup' needs a 'description'")]
    [InlineData("lookup: { mcp: { args: [x] } }", "needs a 'command'")]
    [InlineData("lookup: { mcp: { command: x, port: 3 } }", "port")]
    public void Bad_tools_are_refused_with_their_position(string tool, string expected)
    {
        var errors = FileRuns.Errors($$"""
            version: 1
            tools:
              {{tool}}
            agents:
              helper: { template: "x" }
            workflow:
              sequential: [helper]
            """);

        Assert.Contains(errors, e => e.Message.Contains(expected, StringComparison.Ordinal) && e.Line >= 3);
    }

    [Fact]
    public async Task An_mcp_server_in_a_file_offers_its_tools_for_the_run()
    {
        var built = FileRuns.Build($$"""
            version: 1
            models:
              local:
                provider: scripted
                replies:
                  - { tool: add, args: { a: 2, b: 40 } }
                  - "The sum is 42."
            tools:
              math: { mcp: { command: dotnet, args: ["{{McpServerPath.Replace("\\", "/", StringComparison.Ordinal)}}"] } }
            agents:
              calc: { model: local, tools: [math] }
            workflow:
              sequential: [calc]
            """);
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(built.Workflow, Payload.ParseJson("{}"));

        Assert.Equal("The sum is 42.", result.Output!.AsText());
    }

    [Fact]
    public async Task An_mcp_command_that_does_not_exist_fails_the_step_clearly()
    {
        var built = FileRuns.Build("""
            version: 1
            models:
              local: { provider: scripted, replies: ["never"] }
            tools:
              files: { mcp: { command: baton-no-such-server, args: [--root, .] } }
            agents:
              reader: { model: local, tools: [files] }
            workflow:
              sequential: [reader]
            """);

        var result = await FileRuns.RunAsync(built);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("mcp_unavailable", result.Error!.Code);
        Assert.Contains("the MCP server 'files' (baton-no-such-server) could not be started", result.Error.Message);
    }

    [Fact]
    public async Task Guardrails_in_a_file_check_input_with_expressions_and_output_with_a_judge()
    {
        const string File = """
            version: 1
            inputs:
              text: { type: string }
            models:
              local:
                provider: scripted
                rules:
                  - { match: "Judge", reply: "no: it promises a refund" }
                  - { match: "Write", reply: "We will refund you." }
            agents:
              judge: { model: local, instructions: "Judge whether the reply is safe. Answer yes or no." }
              writer:
                model: local
                instructions: "Write the reply."
                guardrails:
                  input:
                    - { check: "input.length < 40", message: "the request is too long" }
                  output:
                    - { agent: judge, message: "replies may not promise refunds" }
            workflow:
              sequential: [{ agent: writer, input: "{{ inputs.text }}" }]
            """;

        var tooLong = await FileRuns.RunAsync(FileRuns.Build(File), """{"text":"a request that is far too long to be allowed through"}""");
        Assert.Equal("guardrail", tooLong.Error!.Code);
        Assert.Contains("the request is too long", tooLong.Error.Message);

        var promised = await FileRuns.RunAsync(FileRuns.Build(File), """{"text":"short"}""");
        Assert.Equal(RunStatus.Failed, promised.Status);
        Assert.Equal("guardrail", promised.Error!.Code);
        Assert.Contains("replies may not promise refunds", promised.Error.Message);
    }

    [Theory]
    [InlineData("guardrails: { input: [{ message: m }] }", "needs 'check'")]
    [InlineData("guardrails: { input: [{ check: \"input ==\" , message: m }] }", "invalid expression")]
    [InlineData("guardrails: { output: [{ agent: nobody, message: m }] }", "there is no agent 'nobody'")]
    [InlineData("guardrails: { output: [{ check: \"true\" }] }", "needs a 'message'")]
    [InlineData("guardrails: { during: [] }", "during")]
    public void Bad_guardrails_are_refused(string guardrails, string expected)
    {
        var errors = FileRuns.Errors($$"""
            version: 1
            agents:
              helper: { template: "x", {{guardrails}} }
            workflow:
              sequential: [helper]
            """);

        Assert.Contains(errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("yes", "result: refunded 30 EUR on order A-1042")]
    [InlineData("not now", "refused: a person answered 'not now'")]
    public async Task The_refund_tools_sample_waits_for_approval_and_runs_the_refund_only_on_yes(string answer, string refundOutcome)
    {
        var (built, errors) = await WorkflowFile.LoadAsync(Samples.Path("refund-tools.yaml"));
        Assert.True(built is not null, string.Join("\n", errors));
        var (store, runId, _, result) = await FileRuns.WaitThenAnswerAsync(built.Workflow, Payload.ParseJson("""{"order":"A-1042"}"""), answer);

        Assert.Equal("I have handled the refund request for order A-1042.", result.Output!.AsText());
        var refund = (await store.ReadJournalAsync(runId)).Single(e => e.Kind == JournalEntryKind.StepCompleted && e.StepId == "refund");
        var outcome = refund.Payload!.AsJson().EnumerateObject().Single();
        Assert.Equal(refundOutcome, $"{outcome.Name}: {outcome.Value.GetString()}");
    }
}
