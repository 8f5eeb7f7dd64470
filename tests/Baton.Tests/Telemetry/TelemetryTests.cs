using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Baton.Telemetry;
using Tags = Baton.Telemetry.BatonTelemetry.Tags;

namespace Baton.Tests.Telemetry;

/// <summary>
/// Spans and metrics as an OpenTelemetry exporter would see them. Listeners are process-wide and
/// tests run in parallel, so every assertion looks only at the spans and measurements of its own run.
/// </summary>
public sealed class TelemetryTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly ActivityListener _tracing;
    private readonly MeterListener _metrics;

    public TelemetryTests()
    {
        _tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == BatonTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_tracing);

        _metrics = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == BatonTelemetry.Name) listener.EnableMeasurementEvents(instrument);
            },
        };

        // Measurements are recorded while the step's (or run's) span is current: that is how they are told apart by run.
        _metrics.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _metrics.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _metrics.Start();
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _tracing.Dispose();
    }

    [Fact]
    public async Task A_run_has_a_span_and_each_step_a_child_span_with_its_tags()
    {
        using var script = new AgentScript();
        var research = script.Agent("researcher").Returns("findings");
        var write = script.Agent("writer").Returns("report");
        var workflow = new SequentialBuilder("report").Then(research, id: "research").Then(write, id: "write").Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "topic");

        var spans = SpansOf(result.RunId);
        var run = Assert.Single(spans, s => s.OperationName == "invoke_workflow report");
        Assert.Null(run.Parent);
        Assert.Equal("report", run.GetTagItem(Tags.Workflow));
        Assert.Equal("invoke_workflow", run.GetTagItem(Tags.Operation));
        Assert.Equal("report", run.GetTagItem(Tags.WorkflowName));
        Assert.Equal(result.RunId, run.GetTagItem(Tags.ConversationId));
        Assert.Equal(false, run.GetTagItem(Tags.Resumed));
        Assert.Equal("succeeded", run.GetTagItem(Tags.Status));
        Assert.Equal(ActivityStatusCode.Unset, run.Status);

        var steps = spans.Where(s => s != run).OrderBy(s => s.GetTagItem(Tags.StepKey) as string, StringComparer.Ordinal).ToList();
        Assert.Equal(["invoke_agent researcher", "invoke_agent writer"], steps.Select(s => s.OperationName));
        Assert.Equal(["research", "write"], steps.Select(s => s.GetTagItem(Tags.StepId)));
        Assert.Equal(["researcher", "writer"], steps.Select(s => s.GetTagItem(Tags.Agent)));
        Assert.Equal(["research", "write"], steps.Select(s => s.GetTagItem(Tags.AgentId)));
        Assert.Equal(["1:research", "2:write"], steps.Select(s => s.GetTagItem(Tags.StepKey)));
        foreach (var step in steps)
        {
            Assert.Equal(run.TraceId, step.TraceId);
            Assert.Equal(run.SpanId, step.ParentSpanId);
            Assert.Equal(1, step.GetTagItem(Tags.Attempt));
            Assert.Equal("succeeded", step.GetTagItem(Tags.Status));
            Assert.Equal("invoke_agent", step.GetTagItem(Tags.Operation));
            Assert.Equal(result.RunId, step.GetTagItem(Tags.ConversationId));
            Assert.Equal("report", step.GetTagItem(Tags.WorkflowName));
            Assert.Null(step.GetTagItem(Tags.ErrorType));
        }
    }

    [Fact]
    public async Task A_retried_step_records_its_attempts_on_its_span_and_in_metrics()
    {
        var time = new FakeTime();
        using var script = new AgentScript();
        var fetch = script.Agent("fetch")
            .Fails(ErrorKind.Transient, "503 from the search API")
            .Fails(ErrorKind.Transient, "429 from the search API")
            .Returns("results");
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time, Limits = RunLimits.Default with { Timeout = null } });

        var running = runtime.RunAsync(SequentialBuilder.Create("search", fetch), "query");
        // Backoffs of at most 200 ms, then 400 ms, each passed once armed.
        await time.AdvanceToTimerAsync(TimeSpan.FromMilliseconds(200));
        await time.AdvanceToTimerAsync(TimeSpan.FromMilliseconds(400));
        var result = await running.Within();

        Assert.Equal(RunStatus.Succeeded, result.Status);
        var step = Assert.Single(SpansOf(result.RunId), s => s.OperationName == "invoke_agent fetch");
        Assert.Equal(3, step.GetTagItem(Tags.Attempt));
        Assert.Equal("succeeded", step.GetTagItem(Tags.Status));
        var retries = step.Events.Where(e => e.Name == "retry").ToList();
        Assert.Equal([1, 2], retries.Select(e => e.Tags.Single(t => t.Key == Tags.Attempt).Value));
        Assert.Equal(["503 from the search API", "429 from the search API"], retries.Select(e => e.Tags.Single(t => t.Key == "error.message").Value));
        Assert.Equal(2, Sum("baton.steps.retries", result.RunId));
        Assert.Equal(1, Sum("baton.steps.completed", result.RunId));
    }

    [Fact]
    public async Task A_failed_step_and_its_run_are_marked_as_errors()
    {
        using var script = new AgentScript();
        var charge = script.Agent("charge").Fails(ErrorKind.Fatal, "card declined");
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(SequentialBuilder.Create("checkout", charge), "cart");

        var spans = SpansOf(result.RunId);
        var run = Assert.Single(spans, s => s.OperationName == "invoke_workflow checkout");
        var step = Assert.Single(spans, s => s.OperationName == "invoke_agent charge");
        Assert.Equal("failed", step.GetTagItem(Tags.Status));
        Assert.Equal(ActivityStatusCode.Error, step.Status);
        Assert.Equal("card declined", step.StatusDescription);
        Assert.Equal("failed", run.GetTagItem(Tags.Status));
        Assert.Equal(ActivityStatusCode.Error, run.Status);
        Assert.Equal(1, Sum("baton.steps.failed", result.RunId));
        Assert.Equal(0, Sum("baton.steps.completed", result.RunId));

        // error.type names the error with low cardinality: a scripted failure has no code, so its kind.
        Assert.Equal("fatal", step.GetTagItem(Tags.ErrorType));
        Assert.Equal("fatal", run.GetTagItem(Tags.ErrorType));
        Assert.Equal("fatal", Assert.Single(MeasurementsOf("baton.steps.failed", result.RunId)).Tags[Tags.ErrorType]);
    }

    [Fact]
    public async Task Agent_and_run_spans_carry_the_tokens_used()
    {
        using var script = new AgentScript();
        var draft = script.Agent("drafter").Then((_, _, _) => new ValueTask<AgentResult>(AgentResult.Success("draft", usage: new Usage(120, 30, 0.5m))));
        var polish = script.Agent("polisher").Then((_, _, _) => new ValueTask<AgentResult>(AgentResult.Success("final", usage: new Usage(40, 10, 0m))));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(SequentialBuilder.Create("essay", draft, polish), "topic");

        var spans = SpansOf(result.RunId);
        var drafter = Assert.Single(spans, s => s.OperationName == "invoke_agent drafter");
        Assert.Equal(120L, drafter.GetTagItem(Tags.InputTokens));
        Assert.Equal(30L, drafter.GetTagItem(Tags.OutputTokens));
        Assert.Equal(0.5, drafter.GetTagItem(Tags.Cost));
        var polisher = Assert.Single(spans, s => s.OperationName == "invoke_agent polisher");
        Assert.Equal(40L, polisher.GetTagItem(Tags.InputTokens));
        Assert.Null(polisher.GetTagItem(Tags.Cost));
        var run = Assert.Single(spans, s => s.OperationName == "invoke_workflow essay");
        Assert.Equal(160L, run.GetTagItem(Tags.InputTokens));
        Assert.Equal(40L, run.GetTagItem(Tags.OutputTokens));
    }

    [Fact]
    public async Task A_cancelled_run_is_an_error_span_with_error_type_cancelled()
    {
        using var script = new AgentScript();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var wait = script.Agent("wait").Then(async (_, _, cancellationToken) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return AgentResult.Success("never");
        });
        await using var runtime = new BatonRuntime();

        var handle = runtime.Start(SequentialBuilder.Create("long", wait), "x");
        await started.Task.Within();
        handle.Cancel();
        var result = await handle.Completion.Within();

        Assert.Equal(RunStatus.Cancelled, result.Status);
        var run = Assert.Single(SpansOf(result.RunId), s => s.OperationName == "invoke_workflow long");
        Assert.Equal("cancelled", run.GetTagItem(Tags.ErrorType));
        Assert.Equal("cancelled", run.GetTagItem(Tags.Status));
        Assert.Equal(ActivityStatusCode.Error, run.Status);
    }

    [Fact]
    public async Task Metrics_count_runs_and_completed_steps()
    {
        using var script = new AgentScript();
        var workflow = SequentialBuilder.Create("pipeline",
            script.Agent("extract").Returns("rows"),
            script.Agent("transform").Returns("clean rows"),
            script.Agent("load").Returns("loaded"));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "source");

        Assert.Equal(3, Sum("baton.steps.completed", result.RunId));
        Assert.Equal(3, Count("baton.step.duration", result.RunId));
        Assert.Equal(1, Sum("baton.runs.started", result.RunId));
        var ended = Assert.Single(MeasurementsOf("baton.runs.ended", result.RunId));
        Assert.Equal("succeeded", ended.Tags[Tags.Status]);
    }

    [Fact]
    public async Task An_event_published_by_a_step_continues_the_publishers_trace_into_the_run_it_starts()
    {
        using var script = new AgentScript();
        var receive = script.Agent("receive").Then((input, context, _) =>
        {
            context.Publish("email.received", input);
            return new ValueTask<AgentResult>(AgentResult.Success("stored"));
        });
        var classify = script.Agent("classify").Returns("urgent");
        await using var runtime = new BatonRuntime();
        runtime.Events.Subscribe("email.*", SequentialBuilder.Create("triage", classify));

        var intake = await runtime.RunAsync(SequentialBuilder.Create("intake", receive), "server down");
        await runtime.Events.WhenIdleAsync().Within();

        var publisher = Assert.Single(SpansOf(intake.RunId), s => s.OperationName == "invoke_agent receive");
        var published = Assert.Single(publisher.Events, e => e.Name == "baton.event.published");
        Assert.Equal("email.received", published.Tags.Single(t => t.Key == Tags.Topic).Value);

        var delivery = Assert.Single(_spans, s => s.OperationName == "baton.event email.received" && Equals(s.GetTagItem(Tags.PublisherRunId), intake.RunId));
        Assert.Equal(ActivityKind.Consumer, delivery.Kind);
        Assert.Equal(publisher.TraceId, delivery.TraceId);
        Assert.Equal(publisher.SpanId, delivery.ParentSpanId);
        Assert.Equal("triage", delivery.GetTagItem(Tags.Subscriber));
        Assert.Equal("baton", delivery.GetTagItem(Tags.MessagingSystem));
        Assert.Equal("delivered", delivery.GetTagItem(Tags.Status));
        Assert.Equal(1, delivery.GetTagItem(Tags.Attempt));

        var child = Assert.Single(_spans, s => s.OperationName == "invoke_workflow triage" && s.ParentSpanId == delivery.SpanId);
        Assert.Equal(publisher.TraceId, child.TraceId);
        var childRunId = (string)child.GetTagItem(Tags.RunId)!;
        Assert.Equal(intake.RunId, (await runtime.Store.GetRunAsync(childRunId))!.ParentRunId);
    }

    [Fact]
    public async Task A_dead_lettered_delivery_is_an_error_span_and_counted_per_subscriber()
    {
        await using var runtime = new BatonRuntime(new BatonOptions { EventBus = new EventBusOptions { DeliveryRetry = RetryPolicy.None } });
        var subscriber = "auditor-" + Guid.NewGuid().ToString("N");
        runtime.Events.Subscribe("audit.*", subscriber, (_, _) => throw new InvalidOperationException("disk full"));

        await runtime.Events.PublishAsync("audit.login", "alice");
        await runtime.Events.WhenIdleAsync().Within();

        var delivery = Assert.Single(_spans, s => Equals(s.GetTagItem(Tags.Subscriber), subscriber));
        Assert.Equal("dead_lettered", delivery.GetTagItem(Tags.Status));
        Assert.Equal(ActivityStatusCode.Error, delivery.Status);
        Assert.Equal("disk full", delivery.StatusDescription);
        Assert.Single(_measurements, m => m.Instrument == "baton.events.dead_lettered" && Equals(m.Tags.GetValueOrDefault(Tags.Subscriber), subscriber));
    }

    private List<Activity> SpansOf(string runId) => [.. _spans.Where(s => Equals(s.GetTagItem(Tags.RunId), runId))];

    private IEnumerable<Measurement> MeasurementsOf(string instrument, string runId) =>
        _measurements.Where(m => m.Instrument == instrument && m.RunId == runId);

    private double Sum(string instrument, string runId) => MeasurementsOf(instrument, runId).Sum(m => m.Value);

    private int Count(string instrument, string runId) => MeasurementsOf(instrument, runId).Count();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var runId = Activity.Current?.GetTagItem(Tags.RunId) as string;
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, tagValue) in tags) copy[key] = tagValue;
        _measurements.Enqueue(new Measurement(instrument.Name, value, runId, copy));
    }

    private sealed record Measurement(string Instrument, double Value, string? RunId, Dictionary<string, object?> Tags);
}
