using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Baton.Tests.Events;

/// <summary>What fails around a subscriber (not the subscriber itself) is logged, and the subscriber goes on.</summary>
public sealed class SubscriptionFailureAroundDeliveryTests
{
    [Fact]
    public async Task A_logger_that_throws_while_dead_lettering_is_reported_and_the_consumer_goes_on()
    {
        var logs = new RecordingLoggerFactory(throwOnEventId: 3);
        await using var runtime = new BatonRuntime(new BatonOptions { LoggerFactory = logs });
        var received = new ConcurrentQueue<string>();
        var subscription = runtime.Events.Subscribe("invoices.*", "ledger", (message, _) =>
        {
            var text = message.Payload.AsText();
            if (text == "poison") throw new AgentException(ErrorKind.Fatal, "invoice from a blocked vendor");
            received.Enqueue(text);
            return ValueTask.CompletedTask;
        });

        await runtime.Events.PublishAsync("invoices.received", "poison");
        await runtime.Events.PublishAsync("invoices.received", "INV-1");
        await runtime.Events.WhenIdleAsync().Within();

        // The dead letter was recorded before its log line threw; the event behind it still arrived.
        Assert.Equal("poison", Assert.Single(runtime.Events.DeadLetters).Message.Payload.AsText());
        Assert.Equal(["INV-1"], received);
        Assert.Equal(1, subscription.Delivered);
        var reported = Assert.Single(logs.Entries, e => e.EventId == 20);
        Assert.Equal(LogLevel.Error, reported.Level);
        Assert.IsType<InvalidOperationException>(reported.Exception);
        Assert.Contains("ledger", reported.Message, StringComparison.Ordinal);
        Assert.Contains("invoices.received", reported.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_logger_that_throws_on_every_line_does_not_stop_the_consumer()
    {
        var logs = new RecordingLoggerFactory(throwOnEventId: null);
        await using var runtime = new BatonRuntime(new BatonOptions { LoggerFactory = logs });
        var received = new ConcurrentQueue<string>();
        runtime.Events.Subscribe("invoices.*", "ledger", (message, _) =>
        {
            var text = message.Payload.AsText();
            if (text == "poison") throw new AgentException(ErrorKind.Fatal, "blocked");
            received.Enqueue(text);
            return ValueTask.CompletedTask;
        });

        await runtime.Events.PublishAsync("invoices.received", "poison");
        await runtime.Events.PublishAsync("invoices.received", "INV-2");
        await runtime.Events.WhenIdleAsync().Within();

        Assert.Equal(["INV-2"], received);
        Assert.Single(runtime.Events.DeadLetters);
    }

    private sealed record Entry(int EventId, LogLevel Level, string Message, Exception? Exception);

    /// <summary>Records log lines; throws on one event id (or, with none given, on every line).</summary>
    private sealed class RecordingLoggerFactory(int? throwOnEventId) : ILoggerFactory, ILogger
    {
        private readonly ConcurrentQueue<Entry> _entries = new();

        public IReadOnlyList<Entry> Entries => [.. _entries];

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (throwOnEventId is null || eventId.Id == throwOnEventId) throw new InvalidOperationException($"the log sink is down (event {eventId.Id})");
            _entries.Enqueue(new Entry(eventId.Id, logLevel, formatter(state, exception), exception));
        }
    }
}
