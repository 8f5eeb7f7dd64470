using System.Diagnostics;
using Baton.Telemetry;
using Microsoft.Extensions.Logging;

namespace Baton;

/// <summary>
/// Topics and subscriptions shared by the runs of a runtime. Subscribers are handlers, agents
/// and workflows; an agent or workflow subscriber starts a run per event, with the event's
/// payload as input (and the publishing run as its parent).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Back-pressure.</b> Each subscriber has a bounded queue: a publisher waits while a
/// matching subscriber's queue is full, and can give up through its cancellation token.</item>
/// <item><b>Ordering.</b> Each subscriber receives its events one at a time, in the order they
/// were published to it; different subscribers progress independently.</item>
/// <item><b>Failures.</b> A delivery that fails is retried by policy, with backoff on the
/// runtime's clock, then put in the dead-letter queue; the events behind it go on.</item>
/// <item><b>Durable for workflows, not for handlers.</b> Queues live in memory: events still queued
/// when the bus stops are dropped. But a workflow (or agent) subscriber's run is stored before its
/// event is queued, under an id derived from the event and the subscriber, and a step's publications
/// are journaled as published only after that: after a crash, the stored run is resumed with the
/// interrupted runs, and an event not yet marked published is published again on resume and finds
/// the run stored the first time (at least once, deduplicated by id: exactly one run per event and
/// subscriber). Handlers see an event at most once.</item>
/// <item><b>Other processes.</b> With a <see cref="Relay"/>, what this bus publishes also goes to the subscribers of
/// other processes (which take it with <see cref="AcceptAsync"/>) before the publication returns.</item>
/// <item><b>Cycles.</b> A subscriber that publishes to its own topics (directly or through others)
/// can wait on its own full queue forever; give such loops enough capacity, or publish from
/// outside the delivery.</item>
/// </list>
/// </remarks>
public sealed class EventBus : IAsyncDisposable, IDisposable
{
    private readonly IRunLauncher _runtime;
    private readonly EventBusOptions _options;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly LinkedList<DeadLetter> _deadLetters = new();
    private readonly HashSet<Subscription> _consuming = [];
    private Subscription[] _subscriptions = [];
    private long _pending;
    private TaskCompletionSource? _idle;
    private bool _stopped;
    private TaskCompletionSource? _disposed;

    internal EventBus(IRunLauncher runtime, EventBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCapacity, 1, nameof(options.QueueCapacity));
        ArgumentOutOfRangeException.ThrowIfNegative(options.DeadLetterCapacity, nameof(options.DeadLetterCapacity));
        ArgumentNullException.ThrowIfNull(options.DeliveryRetry, nameof(options.DeliveryRetry));
        _runtime = runtime;
        _options = options;
    }

    /// <summary>Current subscriptions, in the order they were made.</summary>
    public IReadOnlyList<Subscription> Subscriptions => Volatile.Read(ref _subscriptions);

    /// <summary>Events that could not be delivered, oldest first (at most <see cref="EventBusOptions.DeadLetterCapacity"/>).</summary>
    public IReadOnlyList<DeadLetter> DeadLetters
    {
        get
        {
            lock (_lock) return [.. _deadLetters];
        }
    }

    internal TimeProvider TimeProvider => _runtime.TimeProvider;

    internal Microsoft.Extensions.Logging.ILogger Logger => _runtime.Logger;

    /// <summary>Calls <paramref name="handler"/> for each event whose topic matches <paramref name="pattern"/>.</summary>
    /// <param name="pattern">An exact topic or a wildcard pattern (see <see cref="TopicPattern"/>).</param>
    /// <param name="name">The subscriber's name in dead letters, logs and traces.</param>
    /// <param name="handler">Handles one event; throwing fails the delivery (see <see cref="ErrorClassifier"/>). Its token is cancelled when the bus stops.</param>
    /// <param name="options">Queue capacity and retry policy; the bus's defaults otherwise.</param>
    /// <exception cref="ArgumentException">The pattern is malformed.</exception>
    public Subscription Subscribe(string pattern, string name, Func<Message, CancellationToken, ValueTask> handler, SubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(pattern, options?.Name ?? name, options, async (delivery, ct) =>
        {
            await handler(delivery.Message, ct).ConfigureAwait(false);
            return null;
        });
    }

    /// <summary>
    /// Starts a run of <paramref name="workflow"/> for each matching event, with the event's payload
    /// as input and the publishing run (if any) as its parent. The delivery succeeds when the run
    /// succeeds (or waits for input); a failed run fails it, and a retry resumes that same run, so
    /// its completed steps do not run again. A dead letter names the run.
    /// </summary>
    public Subscription Subscribe(string pattern, Workflow workflow, SubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var name = options?.Name ?? workflow.Name;
        var subscriber = new WorkflowSubscriber(_runtime, workflow, name, pattern);
        return Add(pattern, name, options, (delivery, ct) => DeliverToWorkflowAsync(subscriber, delivery, ct), subscriber);
    }

    /// <summary>Runs <paramref name="agent"/> (as a one-step workflow named after it, journaled) for each matching event.</summary>
    public Subscription Subscribe(string pattern, IAgent agent, SubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return Subscribe(pattern, Workflow.Of(agent), options);
    }

    /// <summary>Publishes an event on <paramref name="topic"/>; see <see cref="PublishAsync(Message, CancellationToken)"/>.</summary>
    public ValueTask PublishAsync(string topic, Payload data, CancellationToken cancellationToken = default)
    {
        TopicPattern.ValidateTopic(topic);
        return PublishAsync(new Message { Topic = topic, Payload = data ?? Payload.Empty, Timestamp = TimeProvider.GetUtcNow() }, cancellationToken);
    }

    /// <summary>
    /// Publishes a message on its topic. Returns once every matching subscriber has it queued,
    /// waiting while a queue is full (back-pressure); cancelling stops the wait, and subscribers
    /// not yet reached do not get the event. For a workflow subscriber, the run the event starts is
    /// stored before the event is queued (under an id derived from the message id and the subscriber,
    /// so publishing the same message again finds that run instead of starting a second one).
    /// </summary>
    /// <exception cref="Exception">The store failed to store a workflow subscriber's run (its own exception).</exception>
    /// <exception cref="ArgumentException">The message has no topic, or a malformed one.</exception>
    /// <exception cref="ObjectDisposedException">The bus has stopped.</exception>
    public ValueTask PublishAsync(Message message, CancellationToken cancellationToken = default) => PublishAsync(message, relay: true, cancellationToken);

    /// <summary>
    /// Takes an event another process published (through its <see cref="Relay"/>) to this bus's own subscriptions, as
    /// <see cref="PublishAsync(Message, CancellationToken)"/> does, without relaying it again. Returns once every matching
    /// subscriber has it queued (a workflow subscriber's run stored first).
    /// </summary>
    /// <exception cref="ArgumentException">The message has no topic, or a malformed one.</exception>
    /// <exception cref="ObjectDisposedException">The bus has stopped.</exception>
    public ValueTask AcceptAsync(Message message, CancellationToken cancellationToken = default) => PublishAsync(message, relay: false, cancellationToken);

    /// <summary>
    /// Carries what this bus publishes to the subscribers of other processes (a cluster's workers); null (the default)
    /// keeps events in this process. Set it before runs start.
    /// </summary>
    public IEventRelay? Relay { get; set; }

    /// <summary>Raised once for each event put in the dead-letter queue, so a host can keep dead letters where every process sees them.</summary>
    public event Action<DeadLetter>? DeadLettered;

    private async ValueTask PublishAsync(Message message, bool relay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var topic = message.Topic ?? throw new ArgumentException("a published message needs a topic", nameof(message));
        TopicPattern.ValidateTopic(topic);
        cancellationToken.ThrowIfCancellationRequested();
        Subscription[] subscriptions;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            subscriptions = _subscriptions;

            // The publication itself is pending, so the bus is not idle halfway through it.
            _pending++;
        }

        var parent = Activity.Current?.Context ?? default;
        var queued = 0;
        try
        {
            foreach (var subscription in subscriptions)
            {
                if (!subscription.Matches(topic)) continue;
                if (subscription.Accepts is { } accepts && !await accepts(message, cancellationToken).ConfigureAwait(false)) continue;
                lock (_lock) _pending++;
                bool accepted;
                try
                {
                    var delivery = new EventDelivery(message, parent);
                    // The child run is stored before the publisher goes on: a step's outbox is marked published only then.
                    if (subscription.Workflow is { } durable) await durable.StoreRunAsync(delivery, cancellationToken).ConfigureAwait(false);
                    accepted = await subscription.EnqueueAsync(delivery, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    Settled();
                    throw;
                }

                if (accepted)
                {
                    queued++;
                    continue;
                }

                // Its queue closed: the subscriber left (skip it), or the bus stopped.
                Settled();
                lock (_lock) ObjectDisposedException.ThrowIf(_stopped, this);
            }

            // The other processes' subscribers accept it durably before the publisher goes on, as the local ones did.
            if (relay && Relay is { } remote) await remote.RelayAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Settled();
        }

        BatonTelemetry.EventPublished(topic, queued);
    }

    /// <summary>
    /// Completes when every event published so far — and every event their deliveries published
    /// in turn — has been delivered or dead-lettered (or dropped by a stop).
    /// </summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_pending == 0) return Task.CompletedTask;
            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>One delivery (or publication) is done; wakes the idle waiters when none is left.</summary>
    internal void Settled()
    {
        TaskCompletionSource? idle = null;
        lock (_lock)
        {
            if (--_pending == 0)
            {
                idle = _idle;
                _idle = null;
            }
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
        try
        {
            DeadLettered?.Invoke(deadLetter);
        }
        catch (Exception ex)
        {
            // The dead letter is kept here either way; a failing observer must not stop the subscriber's consumer.
            _runtime.Logger.LogDeadLetterObserverFailed(deadLetter.Message.Id, deadLetter.Subscriber, ex);
        }
    }

    internal void Remove(Subscription subscription)
    {
        lock (_lock) _subscriptions = [.. _subscriptions.Where(s => s != subscription)];
        subscription.Complete();
    }

    internal void ConsumerEnded(Subscription subscription)
    {
        lock (_lock) _consuming.Remove(subscription);
    }

    /// <summary>Stops every subscriber synchronously, for containers that dispose synchronously; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Stops every subscriber, waiting for the deliveries in flight to observe their cancellation; events still queued are dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        TaskCompletionSource? first = null;
        Task disposal;
        lock (_lock)
        {
            if (_disposed is null) _disposed = first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            disposal = _disposed.Task;
        }

        if (first is null)
        {
            await disposal.ConfigureAwait(false);
            return;
        }

        Stop();
        Task[] consumers;
        lock (_lock) consumers = [.. _consuming.Select(s => s.Consumer)];
        await Task.WhenAll(consumers).ConfigureAwait(false);
        _stopping.Dispose();
        first.SetResult();
    }

    /// <summary>Takes no more events or subscriptions and cancels the consumers; does not wait for them.</summary>
    private void Stop()
    {
        Subscription[] all;
        lock (_lock)
        {
            if (_stopped) return;
            _stopped = true;
            all = _subscriptions;
            _subscriptions = [];
        }

        // Close the queues before the consumers drop what is left, so nothing is queued after.
        foreach (var subscription in all) subscription.Complete();
        _stopping.Cancel();
    }

    private Subscription Add(string pattern, string name, SubscriptionOptions? options, Func<EventDelivery, CancellationToken, ValueTask<StepError?>> deliver, WorkflowSubscriber? workflow = null)
    {
        TopicPattern.Validate(pattern);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var capacity = options?.QueueCapacity ?? _options.QueueCapacity;
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1, nameof(SubscriptionOptions.QueueCapacity));
        var subscription = new Subscription(this, name, pattern, capacity, options?.Retry ?? _options.DeliveryRetry, deliver) { Workflow = workflow, Accepts = options?.Accepts };
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            _subscriptions = [.. _subscriptions, subscription];
            _consuming.Add(subscription);
            subscription.Start(_stopping.Token);
        }

        return subscription;
    }

    private async ValueTask<StepError?> DeliverToWorkflowAsync(WorkflowSubscriber subscriber, EventDelivery delivery, CancellationToken cancellationToken)
    {
        RunResult? result;
        try
        {
            // The run was stored when the event was published; a retry continues it, so its completed steps
            // do not run again, and the failed step keeps its idempotency key.
            result = await subscriber.DeliverAsync(delivery, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException disposed) when (disposed.ObjectName == _runtime.HostTypeName)
        {
            // The runtime is shutting down and starts no more runs: stop taking events now rather
            // than failing (and dead-lettering) every event still queued.
            Stop();
            throw new OperationCanceledException("the runtime is shutting down", disposed, _stopping.Token);
        }

        if (result is null) return null;
        return result.Status switch
        {
            RunStatus.Succeeded or RunStatus.Waiting => null,
            RunStatus.Cancelled when cancellationToken.IsCancellationRequested => throw new OperationCanceledException(cancellationToken),
            _ => result.Error ?? new StepError(ErrorKind.Recoverable, $"run '{result.RunId}' ended {result.Status}"),
        };
    }
}
