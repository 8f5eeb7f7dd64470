using Baton.AI.Tests.Models;
using Baton.Reports;

namespace Baton.AI.Tests.Tools;

/// <summary>Input and output guardrails on model agents and other agents, with delegates and judge agents.</summary>
public sealed class GuardrailTests
{
    private static RecordingChatClient Model(params string[] replies) =>
        new(new ScriptedChatClient(new ScriptedModelOptions { Replies = [.. replies.Select(ScriptedReply.FromText)] }));

    private static async Task<RunResult> RunAsync(IAgent agent, string input)
    {
        await using var runtime = new BatonRuntime();
        return await runtime.RunAsync(new SequentialBuilder("guarded").Then(agent).Build(), Payload.FromText(input));
    }

    [Fact]
    public async Task A_failing_input_guardrail_stops_the_step_before_the_model_is_called()
    {
        var client = Model("an answer");
        var agent = new ModelAgent("writer", client).WithGuardrails(input: [("no secrets in the input", p => !p.AsText().Contains("password", StringComparison.OrdinalIgnoreCase))]);

        var result = await RunAsync(agent, "my password is hunter2");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("guardrail", result.Error!.Code);
        Assert.Equal(ErrorKind.Fatal, result.Error.Kind);
        Assert.Contains("no secrets in the input", result.Error.Message);
        Assert.Empty(client.Requests);
    }

    [Fact]
    public async Task A_failing_output_guardrail_asks_the_model_again_with_its_message()
    {
        var client = Model("TOO LOUD", "quiet now");
        var agent = new ModelAgent("writer", client).WithGuardrails(output: [("answer in lower case", p => p.AsText() == p.AsText().ToLowerInvariant())]);

        var result = await RunAsync(agent, "write");

        Assert.Equal("quiet now", result.Output!.AsText());
        Assert.Equal(2, client.Requests.Count);
        Assert.Contains("answer in lower case", client.Requests[1][^1].Text);
    }

    [Fact]
    public async Task An_output_guardrail_failing_three_times_fails_the_step_with_code_guardrail()
    {
        var client = Model("LOUD", "STILL LOUD", "LOUDEST");
        var agent = new ModelAgent("writer", client).WithGuardrails(output: [("answer in lower case", p => p.AsText() == p.AsText().ToLowerInvariant())]);

        var result = await RunAsync(agent, "write");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("guardrail", result.Error!.Code);
        Assert.Contains("answer in lower case", result.Error.Message);
        Assert.Equal(3, client.Requests.Count);
    }

    [Fact]
    public async Task A_non_model_agent_fails_at_once_when_its_output_guardrail_fails()
    {
        var calls = 0;
        var agent = Agent.Create("shout", input => { calls++; return Payload.FromText(input.AsText().ToUpperInvariant()); })
            .WithGuardrails(output: [("no shouting", p => p.AsText() != p.AsText().ToUpperInvariant())]);

        var result = await RunAsync(agent, "hello");

        Assert.Equal("guardrail", result.Error!.Code);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_judge_agent_decides_and_runs_as_a_child_step()
    {
        var judge = Agent.Create("judge", input => Payload.FromText(input.AsText().Contains("refund", StringComparison.Ordinal) ? "no: refunds need a person" : "yes"));
        var agent = Agent.Create("reply", input => Payload.FromText($"we will {input.AsText()}")).WithGuardrails(new AgentGuardrails { Output = [Guardrail.Judge(judge, "the reply must not promise refunds")] });
        await using var runtime = new BatonRuntime();
        var workflow = new SequentialBuilder("support").Then(agent).Build();

        var passed = await runtime.RunAsync(workflow, Payload.FromText("call you back"));
        var refused = await runtime.RunAsync(workflow, Payload.FromText("refund you"));

        Assert.Equal("we will call you back", passed.Output!.AsText());
        Assert.Equal("guardrail", refused.Error!.Code);
        Assert.Contains("the reply must not promise refunds", refused.Error.Message);
        Assert.Contains("refunds need a person", refused.Error.Message);
        var report = await new RunReportBuilder(runtime.Store).BuildAsync(refused.RunId, workflow);
        Assert.Contains(report.Steps, s => s.Parent == "reply" && s.Id == "judge");
        Assert.Equal("guardrail", report.Steps.Single(s => s.Path == "reply").Error?.Code);
    }

    [Fact]
    public async Task A_judge_that_fails_fails_the_guardrail_closed()
    {
        var judge = Agent.Create("judge", (_, _, _) => ValueTask.FromResult(AgentResult.Failure(new StepError(ErrorKind.Fatal, "the judge's model is down") { Code = "provider" })));
        var calls = 0;
        var agent = Agent.Create("reply", input => { calls++; return input; }).WithGuardrails(new AgentGuardrails { Input = [Guardrail.Judge(judge, "the request must be in scope")] });

        var result = await RunAsync(agent, "anything");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("guardrail", result.Error!.Code);
        Assert.Contains("the judge 'judge' failed: the judge's model is down", result.Error.Message);
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task A_check_that_throws_fails_closed()
    {
        var agent = Agent.Create("reply", input => input).WithGuardrails(input: [("must parse", p => throw new FormatException("unreadable"))]);

        var result = await RunAsync(agent, "x");

        Assert.Equal("guardrail", result.Error!.Code);
        Assert.Contains("unreadable", result.Error.Message);
    }
}
