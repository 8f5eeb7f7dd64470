using System.Collections.Concurrent;
using Baton.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Baton.Tests.DependencyInjection;

public sealed class AddBatonTests
{
    [Fact]
    public async Task The_runtime_uses_the_containers_clock_store_and_logging()
    {
        var time = new FakeTime();
        var store = new InMemoryRunStore(time);
        var logs = new RecordingLoggerFactory();
        var services = new ServiceCollection()
            .AddBaton()
            .AddSingleton<TimeProvider>(time)
            .AddSingleton<IRunStore>(store)
            .AddSingleton<ILoggerFactory>(logs);
        await using var provider = services.BuildServiceProvider();
        using var script = new AgentScript();
        var greet = script.Agent("greet").Returns("hello");

        var runtime = provider.GetRequiredService<BatonRuntime>();
        var result = await runtime.RunAsync(SequentialBuilder.Create("greeting", greet), "bob");

        Assert.Same(runtime, provider.GetRequiredService<BatonRuntime>());
        Assert.Same(runtime.Events, provider.GetRequiredService<EventBus>());
        Assert.Same(time, runtime.TimeProvider);
        Assert.Same(store, runtime.Store);
        var record = await store.GetRunAsync(result.RunId);
        Assert.Equal(time.GetUtcNow(), record!.StartedAt);
        Assert.Contains(logs.Entries, e => e.Category == "Baton" && e.Level == LogLevel.Information && e.Message.Contains(result.RunId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_registrations_it_uses_the_system_clock_and_an_in_memory_store_the_container_shares()
    {
        await using var provider = new ServiceCollection().AddBaton().BuildServiceProvider();

        var runtime = provider.GetRequiredService<BatonRuntime>();

        Assert.Same(TimeProvider.System, runtime.TimeProvider);
        Assert.IsType<InMemoryRunStore>(runtime.Store);
        Assert.Same(provider.GetRequiredService<IRunStore>(), runtime.Store);
    }

    [Fact]
    public async Task Settings_configure_limits_and_the_event_bus()
    {
        await using var provider = new ServiceCollection()
            .AddBaton(o =>
            {
                o.Limits = RunLimits.Default with { MaxSteps = 5 };
                o.EventBus = new EventBusOptions { DeliveryRetry = RetryPolicy.None };
            })
            .BuildServiceProvider();
        var runtime = provider.GetRequiredService<BatonRuntime>();
        runtime.Events.Subscribe("jobs.*", "worker", (_, _) => throw new TimeoutException("slow"));

        await runtime.Events.PublishAsync("jobs.queued", "job-1");
        await runtime.Events.WhenIdleAsync().Within();

        Assert.Equal(5, runtime.Limits.MaxSteps);
        Assert.Equal(1, Assert.Single(runtime.Events.DeadLetters).Attempts);
    }

    [Fact]
    public async Task Workflows_from_the_settings_and_the_container_can_be_resumed_by_run_id_alone()
    {
        using var script = new AgentScript();
        var charge = script.Agent("charge").Fails(ErrorKind.Fatal, "card declined").Returns("charged");
        var refund = script.Agent("refund").Fails(ErrorKind.Fatal, "bank offline").Returns("refunded");
        var checkout = SequentialBuilder.Create("checkout", charge);
        var refunds = SequentialBuilder.Create("refunds", refund);
        var services = new ServiceCollection()
            .AddBaton(o => o.Workflows.Add(checkout))
            .AddSingleton(refunds)
            .AddBaton(o => o.Limits = RunLimits.Default with { MaxSteps = 50 });
        await using var provider = services.BuildServiceProvider();
        var runtime = provider.GetRequiredService<BatonRuntime>();
        var failedCheckout = await runtime.RunAsync(checkout, "order-1");
        var failedRefund = await runtime.RunAsync(refunds, "order-2");

        var resumedCheckout = await (await runtime.ResumeAsync(failedCheckout.RunId)).Completion.Within();
        var resumedRefund = await (await runtime.ResumeAsync(failedRefund.RunId)).Completion.Within();

        Assert.Equal(RunStatus.Failed, failedCheckout.Status);
        Assert.Equal("charged", resumedCheckout.Output!.AsText());
        Assert.Equal("refunded", resumedRefund.Output!.AsText());

        // A second AddBaton added to the same settings instead of being ignored.
        Assert.Equal(50, runtime.Limits.MaxSteps);
    }

    [Fact]
    public async Task Agents_reach_the_containers_services_through_their_step_context()
    {
        var services = new ServiceCollection().AddSingleton(new Greeting("Bonjour")).AddBaton();
        await using var provider = services.BuildServiceProvider();
        var greet = Agent.Create("greet", (input, context, _) =>
            new ValueTask<AgentResult>(AgentResult.Success($"{context.Services!.GetRequiredService<Greeting>().Word}, {input.AsText()}")));

        var result = await provider.GetRequiredService<BatonRuntime>().RunAsync(SequentialBuilder.Create("greeting", greet), "Ada");

        Assert.Equal("Bonjour, Ada", result.Output!.AsText());
    }

    [Fact]
    public async Task Subscriptions_made_when_the_runtime_is_created_start_runs_for_events()
    {
        using var script = new AgentScript();
        var invoice = script.Agent("invoice").Returns("INV-1");
        var services = new ServiceCollection()
            .AddSingleton(SequentialBuilder.Create("billing", invoice))
            .AddBaton(o => o.OnCreated((sp, runtime) => runtime.Events.Subscribe("orders.*", sp.GetRequiredService<Workflow>())));
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<EventBus>();

        await bus.PublishAsync("orders.paid", "order-1");
        await bus.WhenIdleAsync().Within();

        var run = Assert.Single(await provider.GetRequiredService<IRunStore>().ListRunsAsync());
        Assert.Equal("billing", run.Workflow);
        Assert.Equal(RunStatus.Succeeded, run.Status);
    }

    [Fact]
    public async Task Disposing_the_container_disposes_the_runtime_its_runs_and_its_subscribers()
    {
        using var script = new AgentScript();
        var started = new TaskCompletionSource();
        var report = script.Agent("report").BlocksUntilCancelled(started);
        var provider = new ServiceCollection().AddBaton().BuildServiceProvider();
        var runtime = provider.GetRequiredService<BatonRuntime>();
        var subscriberStopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        runtime.Events.Subscribe("jobs.*", "worker", async (_, ct) =>
        {
            await using (ct.Register(() => subscriberStopped.TrySetResult()))
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
        });
        await runtime.Events.PublishAsync("jobs.queued", "job-1");
        var run = runtime.Start(SequentialBuilder.Create("nightly", report));
        await started.Task.Within();

        await provider.DisposeAsync().AsTask().Within();

        // The run is interrupted, not cancelled: it stays resumable, as after a crash.
        var stopped = await run.Completion.Within();
        Assert.Equal((RunStatus.Running, "interrupted"), (stopped.Status, stopped.Error!.Code));
        Assert.True(subscriberStopped.Task.IsCompleted);
        Assert.Throws<ObjectDisposedException>(() => runtime.Start(SequentialBuilder.Create("late", Agent.Identity("late"))));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await runtime.Events.PublishAsync("jobs.queued", "job-2"));
    }

    private sealed record Greeting(string Word);

    private sealed class RecordingLoggerFactory : ILoggerFactory
    {
        public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class Logger(RecordingLoggerFactory factory, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                factory.Entries.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }
}

public sealed class SynchronousDisposalTests
{
    [Fact]
    public void A_synchronously_disposed_container_disposes_the_runtime_and_its_bus()
    {
        var provider = new ServiceCollection().AddBaton().BuildServiceProvider();
        var runtime = provider.GetRequiredService<BatonRuntime>();
        _ = provider.GetRequiredService<EventBus>();

        provider.Dispose();

        Assert.Throws<ObjectDisposedException>(() => runtime.Start(SequentialBuilder.Create("late", Agent.Identity("a"))));
    }
}
