using System.Text.Json.Nodes;
using Baton.AI;
using Microsoft.Extensions.AI;

namespace Baton.AI.Tests.Models;

public sealed class ModelAgentTests
{
    private static ScriptedChatClient Scripted(params ScriptedReply[] replies) => new(new ScriptedModelOptions { Replies = replies });

    private static readonly AIFunction Add = AIFunctionFactory.Create((int a, int b) => a + b, "add", "Adds two numbers.");

    private static readonly AIFunction Broken = AIFunctionFactory.Create(string (string q) => throw new InvalidOperationException("the index is down"), "search", "Searches.");

    [Fact]
    public async Task Instructions_render_over_input_and_state_and_the_input_is_the_user_message()
    {
        var client = new RecordingChatClient(Scripted(ScriptedReply.FromText("done")));
        var agent = new ModelAgent("writer", client, new ModelAgentOptions { Instructions = "Write about {{ inputs.topic }} for {{ state.audience }}." });
        var context = new RecordingStepContext()
            .WithState("inputs", Payload.ParseJson("""{"topic":"agents"}"""))
            .WithState("audience", Payload.FromText("engineers"));

        var result = await agent.InvokeAsync(Payload.FromText("the findings"), context, default);

        Assert.Equal("done", result.Output.AsText());
        var request = Assert.Single(client.Requests);
        Assert.Equal("Write about agents for engineers.", request[0].Text);
        Assert.Equal((ChatRole.User, "the findings"), (request[1].Role, request[1].Text));
    }

    [Fact]
    public async Task Tools_are_called_and_their_results_fed_back_until_a_final_answer()
    {
        var client = new RecordingChatClient(Scripted(ScriptedReply.ToolCall("add", new JsonObject { ["a"] = 2, ["b"] = 40 }), ScriptedReply.FromText("The sum is 42.")));
        var context = new RecordingStepContext();
        var agent = new ModelAgent("calc", client, new ModelAgentOptions { Tools = [Add] });

        var result = await agent.InvokeAsync(Payload.FromText("2+40?"), context, default);

        Assert.Equal("The sum is 42.", result.Output.AsText());
        Assert.Equal(["42"], RecordingChatClient.ToolResults(client.Requests[1]));
        Assert.Contains(context.Reports, r => r.Name == "tool_call" && r.Data!.AsText().StartsWith("add(", StringComparison.Ordinal));
        Assert.Contains(context.Reports, r => r.Name == "tool_result" && r.Data!.AsText() == "add: 42");
    }

    [Fact]
    public async Task A_tool_not_on_the_allow_list_is_refused_and_the_model_told()
    {
        var client = new RecordingChatClient(Scripted(ScriptedReply.ToolCall("delete_everything"), ScriptedReply.FromText("I cannot do that.")));
        var agent = new ModelAgent("careful", client, new ModelAgentOptions { Tools = [Add] });

        var result = await agent.InvokeAsync(Payload.FromText("wipe it"), new RecordingStepContext(), default);

        Assert.True(result.IsSuccess);
        Assert.Equal(["Error: tool 'delete_everything' is not available; available tools: add"], RecordingChatClient.ToolResults(client.Requests[1]));
    }

    [Fact]
    public async Task A_tool_that_throws_is_fed_back_as_an_error_and_the_loop_goes_on()
    {
        var client = new RecordingChatClient(Scripted(ScriptedReply.ToolCall("search", new JsonObject { ["q"] = "x" }), ScriptedReply.FromText("The search is down; answering from memory.")));
        var agent = new ModelAgent("researcher", client, new ModelAgentOptions { Tools = [Broken] });

        var result = await agent.InvokeAsync(Payload.FromText("find x"), new RecordingStepContext(), default);

        Assert.Equal("The search is down; answering from memory.", result.Output.AsText());
        Assert.Equal(["Error: tool 'search' failed: the index is down"], RecordingChatClient.ToolResults(client.Requests[1]));
    }

    [Fact]
    public async Task The_tool_loop_stops_at_its_turn_limit_with_a_clear_error()
    {
        var agent = new ModelAgent("looper", Scripted(ScriptedReply.ToolCall("add", new JsonObject { ["a"] = 1, ["b"] = 1 })), new ModelAgentOptions { Tools = [Add], MaxTurns = 3 });

        var result = await agent.InvokeAsync(Payload.FromText("go"), new RecordingStepContext(), default);

        Assert.False(result.IsSuccess);
        Assert.Equal((ErrorKind.Recoverable, "max_turns"), (result.Error!.Kind, result.Error.Code));
        Assert.Contains("limit of 3 model calls", result.Error.Message);
    }

    [Fact]
    public async Task A_tool_needing_approval_runs_only_when_a_person_approves()
    {
        var send = new ApprovalRequiredAIFunction(AIFunctionFactory.Create((string to) => $"sent to {to}", "send_mail", "Sends mail."));
        var approved = new RecordingChatClient(Scripted(ScriptedReply.ToolCall("send_mail", new JsonObject { ["to"] = "ops" }), ScriptedReply.FromText("ok")));
        var yes = new RecordingStepContext().WithAnswer("yes");
        await new ModelAgent("mailer", approved, new ModelAgentOptions { Tools = [send] }).InvokeAsync(Payload.FromText("mail ops"), yes, default);
        var denied = new RecordingChatClient(Scripted(ScriptedReply.ToolCall("send_mail", new JsonObject { ["to"] = "ops" }), ScriptedReply.FromText("ok")));
        await new ModelAgent("mailer", denied, new ModelAgentOptions { Tools = [send] }).InvokeAsync(Payload.FromText("mail ops"), new RecordingStepContext().WithAnswer("approve"), default);

        Assert.Contains("Allow the tool 'send_mail'", Assert.Single(yes.Questions).Prompt);
        Assert.Equal(["sent to ops"], RecordingChatClient.ToolResults(approved.Requests[1]));
        // Only "yes" approves: any other answer, even one that sounds like approval, refuses the call (fail closed).
        Assert.StartsWith("Error: the call to 'send_mail' was refused: a person answered 'approve'", Assert.Single(RecordingChatClient.ToolResults(denied.Requests[1])));
    }

    private const string Schema = """{"type":"object","properties":{"analysis":{"type":"string"},"confidence":{"type":"number"}},"required":["analysis","confidence"]}""";

    [Fact]
    public async Task Structured_output_is_repaired_with_the_problems_then_accepted_with_its_confidence()
    {
        var client = new RecordingChatClient(Scripted(ScriptedReply.FromText("""{"analysis":"rising"}"""), ScriptedReply.FromText("```json\n{\"analysis\":\"rising\",\"confidence\":0.8}\n```")));
        var agent = new ModelAgent("analyst", client, new ModelAgentOptions { Output = OutputSchema.FromJson(Schema) });

        var result = await agent.InvokeAsync(Payload.FromText("findings"), new RecordingStepContext(), default);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("""{"analysis":"rising","confidence":0.8}""", result.Output.ToString());
        Assert.Equal(0.8, result.Confidence);
        var repair = client.Requests[1][^1];
        Assert.Equal(ChatRole.User, repair.Role);
        Assert.Contains("the property 'confidence' is required", repair.Text);
    }

    [Fact]
    public async Task Structured_output_fails_after_its_repairs_saying_what_was_wrong()
    {
        var agent = new ModelAgent("analyst", Scripted(ScriptedReply.FromText("not json at all")), new ModelAgentOptions { Output = OutputSchema.FromJson(Schema), MaxRepairs = 2 });

        var result = await agent.InvokeAsync(Payload.FromText("findings"), new RecordingStepContext(), default);

        Assert.Equal((ErrorKind.Recoverable, "invalid_output"), (result.Error!.Kind, result.Error.Code));
        Assert.Contains("replied 3 time(s)", result.Error.Message);
        Assert.Contains("the reply is not JSON", result.Error.Message);
        Assert.Equal("not json at all", result.Error.Partial!.AsText());
    }

    [Fact]
    public async Task A_typed_schema_and_a_confidence_from_the_scripted_model()
    {
        var agent = new ModelAgent("typed", Scripted(ScriptedReply.WithConfidence("""{"Title":"x","Score":3}""", 0.4)), new ModelAgentOptions { Output = OutputSchema.FromType<Verdict>() });
        var result = await agent.InvokeAsync(Payload.FromText("judge"), new RecordingStepContext(), default);
        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(0.4, result.Confidence);
        Assert.Equal(3, result.Output.Get<Verdict>()!.Score);
    }

    public sealed record Verdict(string Title, int Score);

    [Fact]
    public async Task The_context_budget_drops_the_oldest_tool_turns_but_never_the_instructions_or_input()
    {
        var replies = Enumerable.Range(1, 4).Select(i => ScriptedReply.ToolCall("add", new JsonObject { ["a"] = i, ["b"] = 1000 })).Append(ScriptedReply.FromText("done")).ToArray();
        var client = new RecordingChatClient(Scripted(replies));
        // Each message counts 100 tokens: instructions + input + the latest turn fit in 450, older turns do not.
        var agent = new ModelAgent("budget", client, new ModelAgentOptions { Instructions = "Be exact.", Tools = [Add], ContextBudget = 450, TokenEstimator = _ => 100 });

        await agent.InvokeAsync(Payload.FromText("add things"), new RecordingStepContext(), default);

        var last = client.Requests[^1];
        Assert.Equal("Be exact.", last[0].Text);
        Assert.Equal("add things", last[1].Text);
        Assert.True(last.Count <= 4, $"{last.Count} messages sent");
        Assert.Equal(["1004"], RecordingChatClient.ToolResults(last)); // only the latest tool turn is kept
        Assert.Equal(5, client.Requests.Count);
    }

    [Fact]
    public async Task Usage_and_cost_are_summed_over_the_steps_calls()
    {
        var agent = new ModelAgent("priced", Scripted(ScriptedReply.ToolCall("add", new JsonObject { ["a"] = 1, ["b"] = 2 }), ScriptedReply.FromText("three")),
            new ModelAgentOptions { Tools = [Add], Price = new ModelPrice(InputPerMillion: 1_000_000m, OutputPerMillion: 2_000_000m) });

        var result = await agent.InvokeAsync(Payload.FromText("one plus two, please"), new RecordingStepContext(), default);

        Assert.True(result.Usage.InputTokens >= 2 && result.Usage.OutputTokens >= 2);
        Assert.Equal(result.Usage.InputTokens * 1m + result.Usage.OutputTokens * 2m, result.Usage.Cost);
    }

    [Fact]
    public async Task Streaming_reports_token_deltas_as_run_events()
    {
        var model = new ScriptedChatClient("adoption of agents is rising");
        var workflow = new SequentialBuilder("stream").Then(new ModelAgent("writer", model, new ModelAgentOptions { Stream = true })).Build();
        await using var runtime = new BatonRuntime();
        var run = runtime.Start(workflow, "write");
        var tokens = new List<string>();
        await foreach (var e in run.WatchAsync())
        {
            if (e is CustomRunEvent { Name: "token" } token) tokens.Add(token.Data!.AsText());
        }

        var result = await run.Completion;
        Assert.Equal("adoption of agents is rising", result.Output!.AsText());
        Assert.True(tokens.Count > 3);
        Assert.Equal("adoption of agents is rising", string.Concat(tokens));
        Assert.True(result.Usage.TotalTokens > 0);
    }

    [Fact]
    public async Task Cancellation_reaches_the_model_call_promptly()
    {
        var time = new FakeTime();
        var slow = new ScriptedChatClient(new ScriptedModelOptions { Replies = [ScriptedReply.FromText("late")], Delay = TimeSpan.FromHours(1), TimeProvider = time });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new ModelAgent("slow", slow).InvokeAsync(Payload.FromText("x"), new RecordingStepContext(), cts.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_chain_reads_and_writes_named_variables()
    {
        var model = new ScriptedChatClient(new ScriptedModelOptions
        {
            Rules =
            [
                new ScriptedRule("^Research", ScriptedReply.FromText("agents are in production")),
                new ScriptedRule("^Analyze", ScriptedReply.FromText("adoption is rising")),
                new ScriptedRule("^Write(?s).*findings:\\nagents are in production.*analysis:\\nadoption is rising", ScriptedReply.FromText("Report: adoption is rising")),
            ],
        });
        var workflow = new SequentialBuilder("chain")
            .Then(new ModelAgent("research", model, new ModelAgentOptions { Instructions = "Research.", OutputVariable = "findings" }))
            .Then(new ModelAgent("analyze", model, new ModelAgentOptions { Instructions = "Analyze.", InputVariables = ["findings"], OutputVariable = "analysis" }))
            .Then(new ModelAgent("write", model, new ModelAgentOptions { Instructions = "Write.", InputVariables = ["findings", "analysis"], OutputVariable = "report" }))
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "AI agents");
        var state = (await runtime.ReplayAsync(result.RunId, workflow)).FinalState;

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("Report: adoption is rising", result.Output!.AsText());
        Assert.Equal(("agents are in production", "adoption is rising", "Report: adoption is rising"), (state["findings"].AsText(), state["analysis"].AsText(), state["report"].AsText()));
    }

    [Fact]
    public async Task A_resumed_run_gets_the_scripted_replies_an_uninterrupted_run_would()
    {
        var attempts = 0;
        var crash = Agent.Create("crash", (input, _, _) => new ValueTask<AgentResult>(Interlocked.Increment(ref attempts) == 1
            ? AgentResult.Failure(ErrorKind.Fatal, "the process died here")
            : AgentResult.Success(input)));
        Workflow Flow(ScriptedChatClient model) => new SequentialBuilder("resume-scripted")
            .Then(new ModelAgent("first", model)).Then(crash).Then(new ModelAgent("second", model)).Build();
        await using var runtime = new BatonRuntime();

        var failed = await runtime.RunAsync(Flow(new ScriptedChatClient("one", "two", "three")), "go");
        // Another process: a fresh scripted model that has never seen this run.
        var resumed = await (await runtime.ResumeAsync(failed.RunId, Flow(new ScriptedChatClient("one", "two", "three")))).Completion;

        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal("two", resumed.Output!.AsText());
    }
}
