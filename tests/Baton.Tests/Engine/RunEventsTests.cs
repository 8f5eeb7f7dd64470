namespace Baton.Tests.Engine;

public sealed class RunEventsTests
{
    [Fact]
    public async Task A_watcher_sees_every_event_in_order_from_the_start()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var report = Agent.Create("report", async (input, context, ct) =>
        {
            context.Report("progress", "half");
            await gate.Task.WaitAsync(ct);
            return AgentResult.Success(input);
        });
        await using var runtime = new BatonRuntime();
        var run = runtime.Start(SequentialBuilder.Create("events", Agent.Identity("first"), report), "x");

        var watching = Task.Run(async () =>
        {
            var seen = new List<RunEvent>();
            await foreach (var e in run.WatchAsync()) seen.Add(e);
            return seen;
        });
        gate.SetResult();
        var events = await watching.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(
            ["RunStartedEvent", "StepStartedEvent", "StepCompletedEvent", "StepStartedEvent", "CustomRunEvent", "StepCompletedEvent", "RunEndedEvent"],
            events.Select(e => e.GetType().Name));
        Assert.Equal("2:report", ((CustomRunEvent)events[4]).Key);
        Assert.Equal(RunStatus.Succeeded, ((RunEndedEvent)events[^1]).Status);
        Assert.All(events, e => Assert.Equal(run.RunId, e.RunId));
    }
}
