using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Baton.Tests.Failures;

/// <summary>
/// An agent that ignores its cancellation token never holds a run: once its step times out (or the run is cancelled)
/// it has <see cref="BatonOptions.CancellationGrace"/> to stop, then it is abandoned, logged, and the run goes on.
/// The agents here wait on a gate the test opens only at the end, so nothing depends on how fast the machine is.
/// </summary>
public sealed class AbandonedAgentTests
{
    /// <summary>An agent that waits for <paramref name="gate"/> and never looks at its token.</summary>
    private static IAgent Stubborn(string name, TaskCompletionSource gate, TaskCompletionSource started) =>
        Agent.Create(name, async (input, _, _) =>
        {
            started.TrySetResult();
            await gate.Task;
            return AgentResult.Success(Payload.FromText("too late"));
        });

    [Fact]
    public async Task A_step_whose_agent_ignores_its_timeout_is_abandoned_and_the_run_takes_its_error_route()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var logs = new RecordingLoggerFactory();
        await using var runtime = new BatonRuntime(new BatonOptions { LoggerFactory = logs, CancellationGrace = TimeSpan.FromMilliseconds(200) });
        var workflow = new WorkflowBuilder("stubborn")
            .AddStep(Stubborn("stuck", gate, started), "stuck", retry: RetryPolicy.None, timeout: TimeSpan.FromMilliseconds(100))
            .AddStep(Agent.Create("fallback", (input, _) => AgentResult.Success(Payload.FromText($"fell back: {input.AsText()}"))), "fallback")
            .OnError("stuck", "fallback")
            .Build();

        try
        {
            var result = await runtime.RunAsync(workflow, "go").WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(RunStatus.Succeeded, result.Status);
            Assert.Contains("timed out", result.Output!.AsText());
            Assert.True(started.Task.IsCompleted);
            Assert.False(gate.Task.IsCompleted, "the agent was abandoned while it still ran");
            Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("step 1:stuck did not stop within 00:00:00.2000000 of its cancellation", StringComparison.Ordinal) && e.Message.Contains("abandoned", StringComparison.Ordinal));
        }
        finally
        {
            gate.TrySetResult();
        }
    }

    [Fact]
    public async Task A_cancelled_run_whose_agent_ignores_it_ends_cancelled_after_the_grace()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var runtime = new BatonRuntime(new BatonOptions { CancellationGrace = TimeSpan.FromMilliseconds(200) });
        var workflow = new SequentialBuilder("stubborn-cancel").Then(Stubborn("stuck", gate, started)).Build();

        try
        {
            var handle = runtime.Start(workflow, "go");
            await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
            handle.Cancel();
            var result = await handle.Completion.WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(RunStatus.Cancelled, result.Status);
            Assert.False(gate.Task.IsCompleted);
        }
        finally
        {
            gate.TrySetResult();
        }
    }

    [Fact]
    public async Task An_agent_that_stops_when_cancelled_is_not_abandoned()
    {
        var logs = new RecordingLoggerFactory();
        await using var runtime = new BatonRuntime(new BatonOptions { LoggerFactory = logs, CancellationGrace = TimeSpan.FromMinutes(5) });
        var polite = Agent.Create("polite", async (Payload input, CancellationToken token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return input;
        });
        var workflow = new WorkflowBuilder("polite").AddStep(polite, "polite", retry: RetryPolicy.None, timeout: TimeSpan.FromMilliseconds(50)).Build();

        var result = await runtime.RunAsync(workflow, "go").WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("timeout", result.Error!.Code);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("abandoned", StringComparison.Ordinal));
    }

    private sealed class RecordingLoggerFactory : ILoggerFactory
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class Logger(RecordingLoggerFactory factory) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                factory.Entries.Enqueue((logLevel, formatter(state, exception)));
        }
    }
}
