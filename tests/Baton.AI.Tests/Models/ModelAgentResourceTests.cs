using System.Text.Json.Nodes;
using Baton.AI;
using Microsoft.Extensions.AI;
using Polly.CircuitBreaker;

namespace Baton.AI.Tests.Models;

/// <summary>A model agent draws on its resource once per model call: quotas, tokens and the breaker count calls, not steps.</summary>
public sealed class ModelAgentResourceTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static readonly AIFunction Add = AIFunctionFactory.Create((int a, int b) => a + b, "add", "Adds two numbers.");

    // No deadline timer: fake time only ever jumps to a timer the resource set.
    private static readonly RunOptions NoDeadline = new() { Limits = RunLimits.Default with { Timeout = null } };

    /// <summary>Three tool calls, then the answer: four model calls in one step.</summary>
    private static ScriptedChatClient ThreeToolCallsThenAnswer() => new(new ScriptedModelOptions
    {
        Replies =
        [
            ScriptedReply.ToolCall("add", new JsonObject { ["a"] = 1, ["b"] = 2 }),
            ScriptedReply.ToolCall("add", new JsonObject { ["a"] = 3, ["b"] = 4 }),
            ScriptedReply.ToolCall("add", new JsonObject { ["a"] = 5, ["b"] = 6 }),
            ScriptedReply.FromText("done"),
        ],
    });

    [Fact]
    public async Task Three_tool_calls_and_an_answer_take_four_requests_and_a_fifth_call_that_minute_waits_for_the_window()
    {
        var time = new FakeTime();
        using var api = new Resource("api", new ResourceOptions { RequestsPerMinute = 4 }, time);
        var agent = new ModelAgent("calc", ThreeToolCallsThenAnswer(), new ModelAgentOptions { Tools = [Add], Resource = "api" });
        var context = new RecordingStepContext { TimeProvider = time }.WithResource(api);

        var result = await agent.InvokeAsync(Payload.FromText("sum them"), context, default);

        Assert.Equal("done", result.Output.AsText());
        Assert.Equal(new ResourceStatistics(0, 0, 4, 0, 0, CircuitState.Closed), api.GetStatistics());

        // The same agent again, in the same minute: its one call (the answer repeats) waits for a permit.
        var fifth = agent.InvokeAsync(Payload.FromText("again"), context, default).AsTask();
        Assert.Equal(1, api.GetStatistics().Waiting);
        time.Advance(Minute - TimeSpan.FromSeconds(1));
        Assert.False(fifth.IsCompleted);
        Assert.Equal(1, api.GetStatistics().Waiting);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("done", (await fifth).Output.AsText());
        // The four permits came back together; the fifth call holds one.
        Assert.Equal(new ResourceStatistics(0, 0, 1, 0, 0, CircuitState.Closed), api.GetStatistics());
    }

    [Fact]
    public async Task Each_model_call_reports_its_own_tokens_to_the_token_window()
    {
        var time = new FakeTime();
        using var api = new Resource("api", new ResourceOptions { TokensPerMinute = 100_000 }, time);
        var client = new UsageRecordingChatClient(ThreeToolCallsThenAnswer(), api);
        var agent = new ModelAgent("calc", client, new ModelAgentOptions { Tools = [Add], Resource = "api" });

        var result = await agent.InvokeAsync(Payload.FromText("sum them"), new RecordingStepContext { TimeProvider = time }.WithResource(api), default);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(4, client.Calls.Count);
        Assert.All(client.Calls, c => Assert.True(c.Tokens > 0));
        // Before each call the window holds exactly the tokens of the calls before it: each call reported its own.
        var before = 0L;
        foreach (var (windowBefore, tokens) in client.Calls)
        {
            Assert.Equal(before, windowBefore);
            before += tokens;
        }

        Assert.Equal(before, api.GetStatistics().TokensInWindow);
        Assert.Equal(before, result.Usage.TotalTokens);
    }

    [Fact]
    public async Task A_429_from_the_model_counts_towards_the_breaker_which_then_turns_calls_away_with_retry_after()
    {
        var time = new FakeTime();
        using var api = new Resource("api", new ResourceOptions
        {
            CircuitBreaker = new CircuitBreakerOptions { FailureThreshold = 2, BreakDuration = TimeSpan.FromSeconds(30) },
        }, time);
        var scripted = new ScriptedChatClient(new ScriptedModelOptions
        {
            Replies = [ScriptedReply.FromText("fine")],
            Faults = [new ScriptedFault(1, 429), new ScriptedFault(2, 429)],
        });
        var client = new RecordingChatClient(scripted);
        var agent = new ModelAgent("writer", client, new ModelAgentOptions { Resource = "api" });
        var context = new RecordingStepContext { TimeProvider = time }.WithResource(api);

        for (var i = 0; i < 2; i++)
        {
            var limited = await Assert.ThrowsAsync<AgentException>(() => agent.InvokeAsync(Payload.FromText("hi"), context, default).AsTask());
            Assert.Equal((ErrorKind.Transient, "rate_limited"), (limited.Kind, limited.Code));
        }

        Assert.Equal(CircuitState.Open, api.Circuit);
        var refused = await Assert.ThrowsAsync<ResourceUnavailableException>(() => agent.InvokeAsync(Payload.FromText("hi"), context, default).AsTask());
        Assert.Equal((ResourceUnavailableException.CircuitOpen, TimeSpan.FromSeconds(30)), (refused.Code, refused.RetryAfter));
        // Refused before the model was called.
        Assert.Equal(2, client.Requests.Count);

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("fine", (await agent.InvokeAsync(Payload.FromText("hi"), context, default)).Output.AsText());
        Assert.Equal(CircuitState.Closed, api.Circuit);
    }

    [Fact]
    public async Task Without_a_resource_the_agent_never_asks_the_context_for_one()
    {
        // A context offering no resources refuses any use; the agent must not need one.
        var agent = new ModelAgent("calc", ThreeToolCallsThenAnswer(), new ModelAgentOptions { Tools = [Add] });

        var result = await agent.InvokeAsync(Payload.FromText("sum them"), new RecordingStepContext(), default);

        Assert.Equal("done", result.Output.AsText());
    }

    [Fact]
    public async Task A_resource_the_test_context_does_not_offer_is_an_error_naming_it()
    {
        var agent = new ModelAgent("calc", ThreeToolCallsThenAnswer(), new ModelAgentOptions { Resource = "missing" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => agent.InvokeAsync(Payload.FromText("go"), new RecordingStepContext(), default).AsTask());

        Assert.Contains("'missing'", error.Message);
    }

    [Fact]
    public async Task In_a_run_the_step_draws_per_model_call_and_a_waiting_call_shows_as_an_event()
    {
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions
        {
            TimeProvider = time,
            Resources = new Dictionary<string, ResourceOptions> { ["api"] = new() { RequestsPerMinute = 4 } },
        });
        var agent = new ModelAgent("calc", ThreeToolCallsThenAnswer(), new ModelAgentOptions { Tools = [Add], Resource = "api" });
        // Two steps: the first makes four calls, the second's one call waits a minute for the window.
        var workflow = new WorkflowBuilder("twice").AddStep(new AgentStep(agent, "first")).AddStep(new AgentStep(agent, "second")).AddEdge("first", "second").Build();

        var run = runtime.Start(workflow, "sum them", NoDeadline);
        // Time stands still until the second step's call queues: the window's expiry timer is pending from the first
        // call, and a queued call arms its MaxWait timer. Only then the minute passes (jumping to the next timer could reach the
        // window's expiry while the first step was still between calls, so the second call never waited).
        await time.WaitForPendingTimersAsync(2);
        Assert.Equal(1, runtime.Resources["api"].GetStatistics().Waiting);
        time.Advance(Minute);
        var result = await run.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RunStatus.Succeeded, result.Status);
        var waited = Assert.Single(run.EventsSoFar.OfType<StepWaitedForResourceEvent>());
        Assert.Equal(("second", "api", Minute), (waited.StepId, waited.Resource, waited.Waited));
        Assert.Equal(1, runtime.Resources["api"].GetStatistics().RequestsInWindow);
    }

    [Fact]
    public async Task A_step_that_also_names_the_agents_resource_counts_its_calls_once_under_the_attempt()
    {
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions
        {
            TimeProvider = time,
            Resources = new Dictionary<string, ResourceOptions> { ["api"] = new() { RequestsPerMinute = 4 } },
        });
        var agent = new ModelAgent("calc", ThreeToolCallsThenAnswer(), new ModelAgentOptions { Tools = [Add], Resource = "api" });
        var workflow = new WorkflowBuilder("both").AddStep(new AgentStep(agent) { Resource = "api" }).Build();

        // The clock never moves: counted twice (1 + 4 of 4 a minute), the last model call would wait for a minute that never comes.
        var result = await runtime.RunAsync(workflow, "sum them", NoDeadline).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RunStatus.Succeeded, result.Status);
        // Not 1 + 4: the model calls ran under the attempt's permit.
        Assert.Equal(1, runtime.Resources["api"].GetStatistics().RequestsInWindow);
    }

    [Fact]
    public async Task In_a_run_a_resource_the_runtime_does_not_have_fails_the_step_as_fatal()
    {
        await using var runtime = new BatonRuntime();
        var agent = new ModelAgent("calc", ThreeToolCallsThenAnswer(), new ModelAgentOptions { Resource = "opneai" });

        var result = await runtime.RunAsync(new WorkflowBuilder("unknown").AddStep(new AgentStep(agent)).Build(), "go");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal((ErrorKind.Fatal, "unknown_resource"), (result.Error!.Kind, result.Error.Code));
        Assert.Contains("there is no resource 'opneai'", result.Error.Message);
    }

    [Fact]
    public void With_resource_keeps_the_agent_and_changes_only_the_resource()
    {
        var agent = new ModelAgent("calc", ThreeToolCallsThenAnswer(), new ModelAgentOptions { Tools = [Add] });

        var drawing = agent.WithResource("api");

        Assert.Equal(("calc", "api"), (drawing.Name, drawing.Resource));
        Assert.Null(agent.Resource);
        Assert.Same(drawing, drawing.WithResource("api"));
    }

    /// <summary>Records, for each call, the tokens the resource's window held before it and the tokens it spent.</summary>
    private sealed class UsageRecordingChatClient(IChatClient inner, Resource resource) : DelegatingChatClient(inner)
    {
        public List<(long WindowBefore, long Tokens)> Calls { get; } = [];

        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var before = resource.GetStatistics().TokensInWindow;
            var response = await base.GetResponseAsync(messages, options, cancellationToken);
            Calls.Add((before, response.Usage?.TotalTokenCount ?? 0));
            return response;
        }
    }
}
