using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Baton.Telemetry;

namespace Baton.Tests.Resources;

/// <summary>Workflows whose steps draw on resources: waiting, events, metrics, failures and the circuit, through the engine.</summary>
public sealed class ResourceEngineTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    // No deadline timer: fake time only ever jumps to a timer the resource or a retry set.
    private static readonly RunOptions NoDeadline = new() { Limits = RunLimits.Default with { Timeout = null } };

    private static Workflow OneStep(string name, IAgent agent, string resource, int priority = 0, RetryPolicy? retry = null) =>
        new WorkflowBuilder(name).AddStep(new AgentStep(agent) { Resource = resource, Priority = priority, Retry = retry }).Build();

    [Fact]
    public async Task A_fan_out_on_5_requests_a_minute_waits_in_line_and_the_wait_shows_in_events_and_metrics()
    {
        // The resource's name is this test's own: metric listeners are process-wide.
        const string name = "openai-fanout";
        var waits = new ConcurrentQueue<double>();
        using var listener = Listen("baton.resource.wait", name, waits.Enqueue);
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions
        {
            TimeProvider = time,
            Resources = new Dictionary<string, ResourceOptions> { [name] = new() { RequestsPerMinute = 5 } },
        });
        var split = Agent.Create("split", _ => Payload.From(Enumerable.Range(1, 7).ToArray()));
        var ask = new WorkflowBuilder("ask").AddStep(Agent.Identity("ask"), resource: name).Build();
        var workflow = ParallelBuilder.ForEach("questions", split, ask.AsAgent());

        var run = runtime.Start(workflow, "go", NoDeadline);
        // Five steps started, two wait: the window's timer and their two maximum-wait timers.
        await time.WaitForPendingTimersAsync(3);
        // At one minute the window's timer starts the two: their wait is fixed in its callback.
        await time.AdvanceToTimerAsync(Minute);
        var result = await run.Completion.Within();

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("[1,2,3,4,5,6,7]", result.Output!.AsText());
        var waited = run.EventsSoFar.OfType<StepWaitedForResourceEvent>().ToArray();
        Assert.Equal(2, waited.Length);
        Assert.All(waited, e => Assert.Equal((name, "ask", Minute), (e.Resource, e.StepId, e.Waited)));
        Assert.Equal([0, 0, 0, 0, 0, 60_000, 60_000], waits.Order());
        // The event comes between the attempt's start and its completion.
        var keyed = run.EventsSoFar.Where(e => e is StepStartedEvent or StepWaitedForResourceEvent or StepCompletedEvent && Key(e) == waited[0].Key).Select(e => e.GetType().Name);
        Assert.Equal(["StepStartedEvent", "StepWaitedForResourceEvent", "StepCompletedEvent"], keyed);
    }

    [Fact]
    public async Task Steps_waiting_for_a_resource_start_by_their_priority()
    {
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time });
        var gpu = runtime.Resources.Add("gpu", new ResourceOptions { MaxConcurrency = 1 });
        var order = new ConcurrentQueue<string>();
        IAgent Recording(string name) => Agent.Create(name, i =>
        {
            order.Enqueue(name);
            return i;
        });
        var workflow = new ParallelBuilder("render")
            .Branch("low", OneStep("low", Recording("low"), "gpu", priority: 0))
            .Branch("high", OneStep("high", Recording("high"), "gpu", priority: 9))
            .Branch("mid", OneStep("mid", Recording("mid"), "gpu", priority: 5))
            .Build();

        // Something else holds the GPU while the three steps queue up.
        var release = new TaskCompletionSource();
        var holder = gpu.ExecuteAsync(async (_, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return 0;
        }).AsTask();
        var run = runtime.Start(workflow, "frame");
        // Each waiting step arms its maximum-wait timer; the run arms its deadline.
        await time.WaitForPendingTimersAsync(4);
        Assert.Equal(3, gpu.GetStatistics().Waiting);
        release.SetResult();
        await holder;
        var result = await run.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(["high", "mid", "low"], order);
    }

    [Fact]
    public async Task The_usage_a_step_reports_replaces_the_estimate_in_the_token_window()
    {
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time });
        var openai = runtime.Resources.Add("openai", new ResourceOptions { TokensPerMinute = 1000, EstimatedTokensPerCall = 300 });
        var reserved = 0;
        var model = Agent.Create("model", (input, _, _) => new ValueTask<AgentResult>(AgentResult.Success(input, usage: new Usage(100, 150, 0.01m))));
        var peek = Agent.Create("peek", (input, _) =>
        {
            reserved = openai.GetStatistics().TokensInWindow > 0 ? (int)openai.GetStatistics().TokensInWindow : -1;
            return AgentResult.Success(input);
        });

        var result = await runtime.RunAsync(new SequentialBuilder("chat").Then(model, resource: "openai").Then(peek, resource: "openai").Build(), "hi");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        // While the second step runs: 250 reported by the first, 300 estimated for itself.
        Assert.Equal(550, reserved);
        Assert.Equal(550, openai.GetStatistics().TokensInWindow);
    }

    [Fact]
    public async Task A_step_that_waits_past_the_maximum_fails_with_quota_wait_keeping_the_partial_results()
    {
        const string name = "openai-maxwait";
        var rejections = new ConcurrentQueue<double>();
        using var listener = Listen("baton.resource.rejections", name, rejections.Enqueue);
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions
        {
            TimeProvider = time,
            Resources = new Dictionary<string, ResourceOptions> { [name] = new() { RequestsPerMinute = 1, MaxWait = TimeSpan.FromSeconds(10) } },
        });
        var workflow = new SequentialBuilder("two-questions")
            .Then(Agent.Create("first", _ => "one"), resource: name)
            .Then(Agent.Create("second", _ => "two"), retry: RetryPolicy.None, resource: name)
            .Build();

        var run = runtime.Start(workflow, "go", NoDeadline);
        // The first step's permit is held for a minute; the second waits at most 10 s.
        await time.WaitForPendingTimersAsync(2);
        await time.AdvanceToTimerAsync(TimeSpan.FromSeconds(10));
        var result = await run.Completion.Within();

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal((ErrorKind.Transient, "quota_wait", "second"), (result.Error!.Kind, result.Error.Code, result.Error.StepId));
        Assert.StartsWith($"a call waited 10 s for resource '{name}' and gave up: its request quota (1 per minute) stayed used up", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal("""{"first":"one"}""", result.Error.Partial!.AsText());
        Assert.Equal([1.0], rejections);
    }

    [Fact]
    public async Task An_open_circuit_refuses_the_step_without_calling_the_agent_and_the_retry_waits_out_the_cool_down()
    {
        using var script = new AgentScript();
        var flaky = script.Agent("flaky").Fails(ErrorKind.Transient, "503").Fails(ErrorKind.Transient, "503").Returns("ok");
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time });
        runtime.Resources.Add("openai", new ResourceOptions { CircuitBreaker = new() { FailureThreshold = 2, BreakDuration = TimeSpan.FromSeconds(30) } });
        var workflow = OneStep("ask", flaky, "openai", retry: RetryPolicy.Default with { MaxAttempts = 4 });

        var run = runtime.Start(workflow, "q", NoDeadline);
        // Backoffs of at most 200 and 400 ms, then what is left of the 30 s cool-down: each passes once armed.
        await time.AdvanceToTimerAsync(TimeSpan.FromMilliseconds(200));
        await time.AdvanceToTimerAsync(TimeSpan.FromMilliseconds(400));
        await time.AdvanceToTimerAsync(TimeSpan.FromSeconds(30));
        var result = await run.Completion.Within();

        // Two failures open the circuit; attempt 3 is refused (the agent is not called) with the
        // cool-down left as its Retry-After, which the retry policy honours; attempt 4 is the trial.
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal([1, 2, 4], flaky.Calls.Select(c => c.Attempt));
        var retries = run.EventsSoFar.OfType<StepRetryingEvent>().ToArray();
        Assert.Equal([null, null, "circuit_open"], retries.Select(r => r.Error.Code));
        Assert.Equal(TimeSpan.FromSeconds(30) - retries[1].Delay, retries[2].Delay);
        Assert.Equal(TimeSpan.FromSeconds(30) - retries[1].Delay, retries[2].Error.RetryAfter);
        Assert.Equal(Polly.CircuitBreaker.CircuitState.Closed, runtime.Resources["openai"].Circuit);
    }

    [Fact]
    public async Task Cancelling_a_run_takes_its_waiting_step_out_of_the_queue()
    {
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time });
        var openai = runtime.Resources.Add("openai", new ResourceOptions { RequestsPerMinute = 1 });
        await openai.ExecuteAsync((_, _) => ValueTask.FromResult(0));
        using var script = new AgentScript();
        var never = script.Agent("never");

        var run = runtime.Start(OneStep("ask", never, "openai"), "q", NoDeadline);
        // The window's timer and the step's maximum-wait timer.
        await time.WaitForPendingTimersAsync(2);
        Assert.Equal(1, openai.GetStatistics().Waiting);
        run.Cancel();
        var result = await run.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Cancelled, result.Status);
        Assert.Equal(0, openai.GetStatistics().Waiting);
        time.Advance(Minute);
        Assert.Equal(0, openai.GetStatistics().RequestsInWindow);
    }

    [Fact]
    public async Task A_step_naming_an_unknown_resource_is_refused_when_the_run_starts()
    {
        await using var runtime = new BatonRuntime(new BatonOptions
        {
            Resources = new Dictionary<string, ResourceOptions> { ["openai"] = new() { RequestsPerMinute = 60 } },
        });
        var nested = new ParallelBuilder("fan").Branch("typo", OneStep("typo", Agent.Identity("inner"), "opnai")).Build();
        var workflow = new SequentialBuilder("outer").Then(Agent.Identity("ask"), resource: "anthropic").Then(nested.AsAgent()).Build();

        var refused = Assert.Throws<WorkflowValidationException>(() => runtime.Start(workflow, "x"));
        Assert.Throws<WorkflowValidationException>(() => { _ = runtime.RunAsync(workflow, "x"); });

        Assert.Equal(
            [
                "step 'ask': there is no resource 'anthropic'; add it with BatonOptions.Resources or runtime.Resources.Add",
                "step 'inner': there is no resource 'opnai' (did you mean 'openai'?); add it with BatonOptions.Resources or runtime.Resources.Add",
            ],
            refused.Problems);
        Assert.Empty(await runtime.Store.ListRunsAsync(new Baton.Storage.RunQuery { Status = RunStatus.Running }));
    }

    [Fact]
    public void A_composite_step_cannot_draw_on_a_resource()
    {
        var inner = SequentialBuilder.Create("inner", Agent.Identity("a"));
        var builder = new WorkflowBuilder("outer").AddStep(new AgentStep(inner.AsAgent()) { Resource = "openai" });

        var invalid = Assert.Throws<WorkflowValidationException>(builder.Build);

        Assert.Equal(["step 'inner' runs child steps and cannot draw on resource 'openai' itself: set it on the agent steps inside"], invalid.Problems);
    }

    [Fact]
    public void Resource_names_are_unique_in_a_runtime()
    {
        using var runtime = new BatonRuntime();
        runtime.Resources.Add("openai", new ResourceOptions());

        Assert.Throws<ArgumentException>(() => runtime.Resources.Add("openai", new ResourceOptions { RequestsPerMinute = 1 }));
        Assert.Equal(["openai"], runtime.Resources.Select(r => r.Name));
        Assert.Contains("did you mean 'openai'", Assert.Throws<KeyNotFoundException>(() => runtime.Resources["openia"]).Message, StringComparison.Ordinal);
    }

    private static string? Key(RunEvent e) => e switch
    {
        StepStartedEvent s => s.Key,
        StepWaitedForResourceEvent w => w.Key,
        StepCompletedEvent c => c.Key,
        _ => null,
    };

    private static MeterListener Listen(string instrument, string resource, Action<double> record)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == BatonTelemetry.Name && i.Name == instrument) l.EnableMeasurementEvents(i);
            },
        };

        void Measured(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == BatonTelemetry.Tags.Resource && (string?)tag.Value == resource) record(value);
            }
        }

        listener.SetMeasurementEventCallback<double>((_, value, tags, _) => Measured(value, tags));
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => Measured(value, tags));
        listener.Start();
        return listener;
    }
}
