using System.Threading.Channels;

namespace Baton;

/// <summary>
/// One subscriber on the event bus: its own bounded queue, drained in order by one consumer,
/// so events reach it in the order they were published to it.
/// </summary>
public sealed class Subscription : IDisposable
{
    private readonly Channel<Message> _queue;
    private readonly Func<Message, CancellationToken, ValueTask<StepError?>> _deliver;
    private readonly EventBus _bus;
    private readonly RetryPolicy _retry;
    private long _delivered;
    private long _deadLettered;

    internal Subscription(EventBus bus, string name, string pattern, int capacity, RetryPolicy retry, Func<Message, CancellationToken, ValueTask<StepError?>> deliver)
    {
        _bus = bus;
        Name = name;
        Pattern = pattern;
        _retry = retry;
        _deliver = deliver;
        _queue = Channel.CreateBounded<Message>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    /// <summary>The subscriber's name.</summary>
    public string Name { get; }

    /// <summary>The topic pattern it listens to.</summary>
    public string Pattern { get; }

    /// <summary>Events handled successfully.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Events that went to the dead-letter queue.</summary>
    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Events waiting in its queue.</summary>
    public int Queued => _queue.Reader.Count;

    internal Task Consumer { get; private set; } = Task.CompletedTask;

    internal ValueTask EnqueueAsync(Message message, CancellationToken cancellationToken) => _queue.Writer.WriteAsync(message, cancellationToken);

    internal void Start(CancellationToken stopping) => Consumer = Task.Run(() => ConsumeAsync(stopping), CancellationToken.None);

    internal void Complete() => _queue.Writer.TryComplete();

    /// <summary>Stops the subscription: events already queued are still delivered.</summary>
    public void Dispose() => _bus.Remove(this);

    private async Task ConsumeAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var message in _queue.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                try
                {
                    await DeliverWithRetryAsync(message, stopping).ConfigureAwait(false);
                }
                finally
                {
                    _bus.Settled();
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The bus is shutting down; undelivered events are dropped with it.
            while (_queue.Reader.TryRead(out _)) _bus.Settled();
        }
    }

    private async Task DeliverWithRetryAsync(Message message, CancellationToken stopping)
    {
        var random = new Random(message.Id.GetHashCode(StringComparison.Ordinal));
        for (var attempt = 1; ; attempt++)
        {
            StepError? error;
            try
            {
                error = await _deliver(message, stopping).ConfigureAwait(false);
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
                return;
            }

            if (_retry.ShouldRetry(error.Kind, attempt))
            {
                await Task.Delay(_retry.DelayFor(attempt, error.RetryAfter, random), _bus.TimeProvider, stopping).ConfigureAwait(false);
                continue;
            }

            Interlocked.Increment(ref _deadLettered);
            _bus.AddDeadLetter(new DeadLetter(message, Name, error, attempt, _bus.TimeProvider.GetUtcNow()));
            return;
        }
    }
}
