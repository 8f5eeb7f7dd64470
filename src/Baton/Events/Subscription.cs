using System.Threading.Channels;
using Baton.Telemetry;
using Microsoft.Extensions.Logging;

namespace Baton;

/// <summary>
/// One subscriber on the event bus: its own bounded queue, drained in order by one consumer,
/// so events reach it one at a time, in the order they were published to it. A delivery is
/// retried by the subscription's policy and then dead-lettered, so a poison event never blocks
/// the events behind it for good.
/// </summary>
public sealed partial class Subscription : IDisposable
{
    private readonly Channel<EventDelivery> _queue;
    private readonly Func<EventDelivery, CancellationToken, ValueTask<StepError?>> _deliver;
    private readonly EventBus _bus;
    private readonly RetryPolicy _retry;
    private long _delivered;
    private long _deadLettered;

    internal Subscription(EventBus bus, string name, string pattern, int capacity, RetryPolicy retry, Func<EventDelivery, CancellationToken, ValueTask<StepError?>> deliver)
    {
        _bus = bus;
        Name = name;
        Pattern = pattern;
        _retry = retry;
        _deliver = deliver;
        _queue = Channel.CreateBounded<EventDelivery>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    /// <summary>The subscriber's name, as dead letters, logs and traces show it.</summary>
    public string Name { get; }

    /// <summary>The topic pattern it listens to.</summary>
    public string Pattern { get; }

    /// <summary>Events handled successfully.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Events that went to the dead-letter queue.</summary>
    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Events waiting in its queue (not counting the one being delivered).</summary>
    public int Queued => _queue.Reader.Count;

    internal Task Consumer { get; private set; } = Task.CompletedTask;

    /// <summary>For a workflow subscriber, what stores the run each event starts before the event is queued.</summary>
    internal WorkflowSubscriber? Workflow { get; init; }

    /// <summary>Whether it takes a matching event (<see cref="SubscriptionOptions.Accepts"/>); null takes every one.</summary>
    internal Func<Message, CancellationToken, ValueTask<bool>>? Accepts { get; init; }

    internal bool Matches(string topic) => TopicPattern.Matches(Pattern, topic);

    /// <summary>Queues an event, waiting while the queue is full; false when the queue is closed (unsubscribed or stopped).</summary>
    internal async ValueTask<bool> EnqueueAsync(EventDelivery delivery, CancellationToken cancellationToken)
    {
        if (_queue.Writer.TryWrite(delivery)) return true;
        try
        {
            await _queue.Writer.WriteAsync(delivery, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    internal void Start(CancellationToken stopping)
    {
        // The consumer must not inherit the subscriber's ambient context (its Activity, its
        // AsyncLocals): each delivery continues the trace of the publisher instead.
        if (ExecutionContext.IsFlowSuppressed())
        {
            Consumer = Task.Run(() => ConsumeAsync(stopping), CancellationToken.None);
            return;
        }

        using (ExecutionContext.SuppressFlow())
        {
            Consumer = Task.Run(() => ConsumeAsync(stopping), CancellationToken.None);
        }
    }

    /// <summary>Closes the queue: publishers skip the subscription from now on; what is queued is still delivered.</summary>
    internal void Complete() => _queue.Writer.TryComplete();

    /// <summary>Unsubscribes: no new events are queued; events already queued are still delivered.</summary>
    public void Dispose() => _bus.Remove(this);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Pattern})";

    private async Task ConsumeAsync(CancellationToken stopping)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                while (!stopping.IsCancellationRequested && _queue.Reader.TryRead(out var delivery))
                {
                    try
                    {
                        await DeliverAsync(delivery, stopping).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
                    {
                        // Only code around the subscriber's (a logger, a trace listener) can get here, never the
                        // subscriber's own failure (that is retried, then dead-lettered). The consumer must outlive
                        // it, or publishers would wait on a queue nobody drains; so it is logged, not rethrown.
                        ReportFailureAround(delivery, ex);
                    }
                    finally
                    {
                        _bus.Settled();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The bus is stopping: the delivery in flight was cancelled.
        }
        finally
        {
            // Close the queue before dropping what is left, so nothing is queued after the drain.
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out _)) _bus.Settled();
            _bus.ConsumerEnded(this);
        }
    }

    private void ReportFailureAround(EventDelivery delivery, Exception exception)
    {
        try
        {
            LogFailureAroundDelivery(_bus.Logger, delivery.Message.Id, delivery.Message.Topic, Name, exception);
        }
        catch (Exception)
        {
            // The logger itself is what failed: there is nowhere left to report to, and the consumer must go on.
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "Event {MessageId} on {Topic} for subscriber {Subscriber}: code around the delivery failed (a logger or trace listener); the subscriber goes on with the next event")]
    private static partial void LogFailureAroundDelivery(ILogger logger, string messageId, string? topic, string subscriber, Exception exception);

    private async Task DeliverAsync(EventDelivery delivery, CancellationToken stopping)
    {
        var message = delivery.Message;
        using var activity = BatonTelemetry.StartDelivery(message, Name, delivery.Parent);
        Random? random = null;
        for (var attempt = 1; ; attempt++)
        {
            stopping.ThrowIfCancellationRequested();
            StepError? error;
            try
            {
                error = await _deliver(delivery, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                error = ErrorClassifier.Classify(ex, Name);
            }

            if (error is null)
            {
                Interlocked.Increment(ref _delivered);
                BatonTelemetry.EndDelivery(activity, Name, attempt, error: null);
                return;
            }

            if (_retry.ShouldRetry(error.Kind, attempt))
            {
                random ??= new Random(StableHash(message.Id, Name));
                var delay = _retry.DelayFor(attempt, error.RetryAfter, random);
                BatonTelemetry.DeliveryRetrying(activity, Name, attempt, error);
                await Task.Delay(delay, _bus.TimeProvider, stopping).ConfigureAwait(false);
                continue;
            }

            Interlocked.Increment(ref _deadLettered);
            BatonTelemetry.EndDelivery(activity, Name, attempt, error);
            _bus.AddDeadLetter(new DeadLetter(message, Name, error, attempt, _bus.TimeProvider.GetUtcNow(), delivery.RunId));
            return;
        }
    }

    /// <summary>A seed for the backoff jitter that is the same in every process, so a delivery's delays are reproducible.</summary>
    private static int StableHash(string first, string second)
    {
        var hash = 2166136261u;
        foreach (var c in first) hash = (hash ^ c) * 16777619u;
        hash = (hash ^ '/') * 16777619u;
        foreach (var c in second) hash = (hash ^ c) * 16777619u;
        return (int)hash;
    }
}
