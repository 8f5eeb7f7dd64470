using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Baton.Telemetry;

namespace Baton.Tests.Telemetry;

[Collection(nameof(TelemetryCollection))]
public sealed class TracingTests
{
    [Fact]
    public async Task A_run_has_a_span_and_each_step_a_child_span_with_its_tags()
    {
        using var spans = new SpanRecorder();
        using var script = new AgentScript();
        var flaky = script.Agent("flaky").Fails(ErrorKind.Transient, "busy").Returns("ok");
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time });

        var result = await time.DriveAsync(runtime.Start(SequentialBuilder.Create("traced", Agent.Identity("first"), flaky), "x").Completion);

        var mine = spans.Where(s => (string?)s.GetTagItem(BatonTelemetry.Tags.RunId) == result.RunId).ToArray();
        var run = Assert.Single(mine, s => s.OperationName == "baton.run traced");
        var steps = mine.Where(s => s.OperationName.StartsWith("baton.step ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["baton.step first", "baton.step flaky"], steps.Select(s => s.OperationName));
        Assert.All(steps, s => Assert.Equal(run.SpanId, s.ParentSpanId));
        var retried = steps[1];
        Assert.Equal("flaky", retried.GetTagItem(BatonTelemetry.Tags.StepId));
        Assert.Equal("flaky", retried.GetTagItem(BatonTelemetry.Tags.Agent));
        Assert.Equal(2, retried.GetTagItem(BatonTelemetry.Tags.Attempt));
        Assert.Equal("succeeded", retried.GetTagItem(BatonTelemetry.Tags.Status));
        Assert.Single(retried.Events, e => e.Name == "retry");
        Assert.Equal("Succeeded", run.GetTagItem(BatonTelemetry.Tags.Status));
    }

    [Fact]
    public async Task A_failed_step_marks_its_span_as_an_error()
    {
        using var spans = new SpanRecorder();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(SequentialBuilder.Create("broken", Agent.Create("boom", (_, _) => AgentResult.Failure(ErrorKind.Fatal, "kaput"))), "x");

        var step = Assert.Single(spans, s => (string?)s.GetTagItem(BatonTelemetry.Tags.RunId) == result.RunId && s.OperationName == "baton.step boom");
        Assert.Equal(ActivityStatusCode.Error, step.Status);
        Assert.Equal("kaput", step.StatusDescription);
    }

    [Fact]
    public async Task Step_metrics_are_recorded()
    {
        long completed = 0;
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == BatonTelemetry.Name) listener.EnableMeasurementEvents(instrument);
            },
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "baton.steps.completed") Interlocked.Add(ref completed, value);
        });
        meters.Start();
        await using var runtime = new BatonRuntime();

        await runtime.RunAsync(SequentialBuilder.Create("m", Agent.Identity("a"), Agent.Identity("b"), Agent.Identity("c")), "x");

        Assert.True(Interlocked.Read(ref completed) >= 3);
    }
}

/// <summary>Records every span the Baton source finishes while it lives.</summary>
internal sealed class SpanRecorder : ConcurrentQueue<Activity>, IDisposable
{
    private readonly ActivityListener _listener;

    public SpanRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == BatonTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();
}

[CollectionDefinition(nameof(TelemetryCollection), DisableParallelization = true)]
public sealed class TelemetryCollection;
