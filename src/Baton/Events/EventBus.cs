using Microsoft.Extensions.Logging;

namespace Baton;

/// <summary>
/// Topics and subscriptions shared by the runs of a runtime. Each subscriber has a bounded
/// queue: a publisher waits while a matching subscriber's queue is full (back-pressure), and
/// each subscriber receives its events in publication order. A delivery that keeps failing is
/// retried by policy, then put in the dead-letter queue; it never blocks the subscriber for good.
/// </summary>
public sealed class EventBus : IAsyncDisposable, IDisposable
{
    private readonly BatonRuntime _runtime;
    private readonly EventBusOptions _options;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly LinkedList<DeadLetter> _deadLetters = new();
    private Subscription[] _subscriptions = [];
    private long _pending;
    private TaskCompletionSource? _idle;

    internal EventBus(BatonRuntime runtime, EventBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCapacity, 1, nameof(options.QueueCapacity));
        _runtime = runtime;
        _options = options;
    }

    /// <summary>Current subscriptions, in the order they were made.</summary>
    public IReadOnlyList<Subscription> Subscriptions => Volatile.Read(ref _subscriptions);

    /// <summary>Events that could not be delivered, oldest first.</summary>
    public IReadOnlyList<DeadLetter> DeadLetters
    {
        get
        {
            lock (_lock) return [.. _deadLetters];
        }
    }

    internal TimeProvider TimeProvider => _runtime.TimeProvider;

    /// <summary>Calls <paramref name="handler"/> for each event whose topic matches <paramref name="pattern"/>.</summary>
    public Subscription Subscribe(string pattern, string name, Func<Message, CancellationToken, ValueTask> handler, SubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(pattern, options?.Name ?? name, options, async (message, ct) =>
        {
            await handler(message, ct).ConfigureAwait(false);
            return null;
        });
    }

    /// <summary>Starts a run of <paramref name="workflow"/> for each matching event, with the event's payload as input; the delivery succeeds when the run does.</summary>
    public Subscription Subscribe(string pattern, Workflow workflow, SubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        return Add(pattern, options?.Name ?? workflow.Name, options, async (message, ct) =>
        {
            var result = await _runtime.RunAsync(workflow, message.Payload, new RunOptions { ParentRunId = message.RunId }, ct).ConfigureAwait(false);
            return result.Status switch
            {
                RunStatus.Succeeded => null,
                RunStatus.Cancelled when ct.IsCancellationRequested => throw new OperationCanceledException(ct),
                _ => result.Error ?? new StepError(ErrorKind.Recoverable, $"run {result.RunId} ended {result.Status}"),
            };
        });
    }

    /// <summary>Runs <paramref name="agent"/> (as a one-step workflow, journaled) for each matching event.</summary>
    public Subscription Subscribe(string pattern, IAgent agent, SubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return Subscribe(pattern, new WorkflowBuilder(agent.Name).AddStep(agent).Build(), options);
    }

    /// <summary>Publishes an event; returns once every matching subscriber has it queued (waiting while a queue is full).</summary>
    public ValueTask PublishAsync(string topic, Payload data, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        return PublishAsync(new Message { Topic = topic, Payload = data ?? Payload.Empty, Timestamp = TimeProvider.GetUtcNow() }, cancellationToken);
    }

    /// <summary>Publishes a message on its topic.</summary>
    public async ValueTask PublishAsync(Message message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Topic is null) throw new ArgumentException("a published message needs a topic", nameof(message));
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        foreach (var subscription in Volatile.Read(ref _subscriptions))
        {
            if (!TopicPattern.Matches(subscription.Pattern, message.Topic)) continue;
            Interlocked.Increment(ref _pending);
            try
            {
                await subscription.EnqueueAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                Settled();
                throw;
            }
        }
    }

    /// <summary>Completes when every published event has been delivered or dead-lettered.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (Interlocked.Read(ref _pending) == 0) return Task.CompletedTask;
            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }

    internal void Settled()
    {
        if (Interlocked.Decrement(ref _pending) != 0) return;
        TaskCompletionSource? idle;
        lock (_lock)
        {
            if (Interlocked.Read(ref _pending) != 0) return;
            idle = _idle;
            _idle = null;
        }

        idle?.TrySetResult();
    }

    internal void AddDeadLetter(DeadLetter deadLetter)
    {
        lock (_lock)
        {
            _deadLetters.AddLast(deadLetter);
            while (_deadLetters.Count > _options.DeadLetterCapacity) _deadLetters.RemoveFirst();
        }

        _runtime.Logger.LogDeadLetter(deadLetter.Message.Id, deadLetter.Message.Topic, deadLetter.Subscriber, deadLetter.Attempts, deadLetter.Error.Message);
    }

    internal void Remove(Subscription subscription)
    {
        lock (_lock) _subscriptions = _subscriptions.Where(s => s != subscription).ToArray();
        subscription.Complete();
    }

    private Subscription Add(string pattern, string name, SubscriptionOptions? options, Func<Message, CancellationToken, ValueTask<StepError?>> deliver)
    {
        TopicPattern.Validate(pattern);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        var capacity = options?.QueueCapacity ?? _options.QueueCapacity;
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1, nameof(options.QueueCapacity));
        var subscription = new Subscription(this, name, pattern, capacity, options?.Retry ?? _options.DeliveryRetry, deliver);
        lock (_lock) _subscriptions = [.. _subscriptions, subscription];
        subscription.Start(_stopping.Token);
        return subscription;
    }

    /// <summary>Stops every subscriber synchronously, for containers that dispose synchronously.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Stops every subscriber; events still queued are dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        Subscription[] all;
        lock (_lock)
        {
            all = _subscriptions;
            _subscriptions = [];
        }

        _stopping.Cancel();
        foreach (var subscription in all) subscription.Complete();
        await Task.WhenAll(all.Select(s => s.Consumer)).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
