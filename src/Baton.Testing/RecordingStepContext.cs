using System.Threading.Channels;

namespace Baton.Testing;

/// <summary>
/// An <see cref="IStepContext"/> for calling one agent in a unit test: it records state writes,
/// publications, messages and reports. Like the engine, it shows the agent the state as it was
/// before the step: <see cref="Commit"/> applies the writes (last write wins) for the next call.
/// </summary>
public sealed class RecordingStepContext : IStepContext, IRunStateView, IAgentMessaging
{
    private readonly PriorityQueue<Message, (int, long)> _inbox = new();
    private readonly List<Message> _sent = [];
    private Func<Message, Payload>? _responder;
    private long _arrivals;
    private int _committed;
    private int _privateCommitted;
    private readonly Dictionary<string, Payload> _state = new(StringComparer.Ordinal);
    private readonly List<StateChange> _writes = [];
    private readonly List<Message> _published = [];
    private readonly List<(string Name, Payload? Data)> _reports = [];
    private readonly Dictionary<string, Payload> _private = new(StringComparer.Ordinal);
    private readonly List<StateChange> _privateWrites = [];
    private readonly List<(string Name, ChannelWriter<StateChanged> Writer)> _watchers = [];
    private readonly Dictionary<string, Resource> _resources = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public string RunId { get; init; } = "test-run";

    /// <inheritdoc/>
    public string StepId { get; init; } = "test-step";

    /// <inheritdoc/>
    public string IdempotencyKey => $"{RunId}/1:{StepId}";

    /// <inheritdoc/>
    public int Attempt { get; init; } = 1;

    /// <inheritdoc/>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <inheritdoc/>
    public IServiceProvider? Services { get; init; }

    private readonly Queue<string> _answers = new();
    private readonly List<HumanQuestion> _questions = [];
    private Random? _random;

    /// <inheritdoc/>
    public Random Random => _random ??= new Random(Seed);

    /// <summary>The seed of <see cref="Random"/>; fixed, so a test sees the same numbers on every run.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Questions the agent asked, in order.</summary>
    public IReadOnlyList<HumanQuestion> Questions => _questions;

    /// <summary>Queues the answer a person gives to the agent's next question.</summary>
    public RecordingStepContext WithAnswer(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        _answers.Enqueue(answer);
        return this;
    }

    /// <inheritdoc/>
    public ValueTask DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        new(Task.Delay(delay, TimeProvider, cancellationToken));

    /// <inheritdoc/>
    public ValueTask<string> AskAsync(HumanQuestion question, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(question);
        _questions.Add(question);
        return _answers.TryDequeue(out var answer)
            ? new(answer)
            : throw new InvalidOperationException($"the agent asked '{question.Prompt}' but the test queued no answer: call WithAnswer first");
    }

    /// <inheritdoc/>
    public IRunStateView State => this;

    /// <inheritdoc/>
    public IRunStateView PrivateState => new DictionaryView(_private);

    /// <inheritdoc/>
    public IAgentMessaging Messaging => this;

    /// <summary>Direct messages, requests and replies the agent sent, in order.</summary>
    public IReadOnlyList<Message> Sent => _sent;

    /// <summary>Puts a message in the agent's mailbox before it runs (higher priority is received first).</summary>
    public RecordingStepContext WithMessage(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _inbox.Enqueue(message, (-message.Priority, _arrivals++));
        return this;
    }

    /// <summary>Answers the agent's requests with <paramref name="responder"/>.</summary>
    public RecordingStepContext OnRequest(Func<Message, Payload> responder)
    {
        _responder = responder ?? throw new ArgumentNullException(nameof(responder));
        return this;
    }

    /// <summary>Private state writes, in order.</summary>
    public IReadOnlyList<StateChange> PrivateWrites => _privateWrites;

    /// <summary>State writes, in order.</summary>
    public IReadOnlyList<StateChange> Writes => _writes;

    /// <summary>Published events, in order.</summary>
    public IReadOnlyList<Message> Published => _published;

    /// <summary>Reported custom events, in order.</summary>
    public IReadOnlyList<(string Name, Payload? Data)> Reports => _reports;

    IReadOnlyCollection<string> IRunStateView.Names => _state.Keys;

    /// <summary>Seeds a state variable before the agent runs.</summary>
    public RecordingStepContext WithState(string name, Payload value)
    {
        _state[name] = value;
        return this;
    }

    /// <inheritdoc/>
    public void SetState(string name, Payload value) => _writes.Add(new StateChange(name, value));

    /// <summary>
    /// Applies the writes so far (last write wins), as the engine does when a step commits: until
    /// then the agent reads the state as it was, exactly as in a run. Watchers see each write.
    /// </summary>
    public RecordingStepContext Commit()
    {
        foreach (var write in _writes.Skip(_committed))
        {
            _state[write.Name] = write.Value;
            foreach (var (watched, writer) in _watchers)
            {
                if (watched == write.Name) writer.TryWrite(new StateChanged(write.Name, write.Value, write.Value, StepId));
            }
        }

        _committed = _writes.Count;
        foreach (var write in _privateWrites.Skip(_privateCommitted)) _private[write.Name] = write.Value;
        _privateCommitted = _privateWrites.Count;
        return this;
    }

    /// <inheritdoc/>
    public void SetPrivateState(string name, Payload value) => _privateWrites.Add(new StateChange(name, value));

    /// <inheritdoc/>
    public async IAsyncEnumerable<StateChanged> WatchState(string name, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<StateChanged>();
        if (_state.TryGetValue(name, out var current)) channel.Writer.TryWrite(new StateChanged(name, current, current, null));
        _watchers.Add((name, channel.Writer));
        await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false)) yield return change;
    }

    void IAgentMessaging.Send(string recipient, Payload content, int priority) =>
        _sent.Add(new Message { Sender = StepId, Recipient = recipient, Payload = content, Priority = priority, RunId = RunId, Timestamp = TimeProvider.GetUtcNow() });

    ValueTask<Message> IAgentMessaging.ReceiveAsync(CancellationToken cancellationToken) =>
        _inbox.TryDequeue(out var message, out _)
            ? new ValueTask<Message>(message)
            : throw new InvalidOperationException("the recording context's mailbox is empty: seed it with WithMessage");

    bool IAgentMessaging.TryReceive([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Message? message) => _inbox.TryDequeue(out message, out _);

    Task<Message> IAgentMessaging.RequestAsync(string recipient, Payload content, TimeSpan timeout, CancellationToken cancellationToken, int priority)
    {
        var request = new Message { Sender = StepId, Recipient = recipient, Payload = content, Priority = priority, RunId = RunId, Timestamp = TimeProvider.GetUtcNow() };
        _sent.Add(request);
        if (_responder is null) throw new InvalidOperationException("the recording context has no responder for requests: set one with OnRequest");
        return Task.FromResult(new Message { Sender = recipient, Recipient = StepId, Payload = _responder(request), ReplyTo = request.Id, CorrelationId = request.Id, RunId = RunId });
    }

    void IAgentMessaging.Reply(Message request, Payload content) =>
        _sent.Add(new Message { Sender = StepId, Recipient = request.Sender, Payload = content, ReplyTo = request.Id, CorrelationId = request.Id, RunId = RunId });

    /// <inheritdoc/>
    public void Publish(string topic, Payload data) =>
        _published.Add(new Message { Topic = topic, Payload = data, Sender = StepId, RunId = RunId, Timestamp = TimeProvider.GetUtcNow() });

    /// <inheritdoc/>
    public void Report(string name, Payload? data = null) => _reports.Add((name, data));

    /// <summary>Offers <paramref name="resource"/> to the agent's <see cref="UseResourceAsync"/> calls, by its name.</summary>
    public RecordingStepContext WithResource(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        _resources[resource.Name] = resource;
        return this;
    }

    /// <inheritdoc/>
    public ValueTask<TResult> UseResourceAsync<TResult>(string resource, Func<ResourceLease, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken) =>
        _resources.TryGetValue(resource, out var found)
            ? found.ExecuteAsync(call, cancellationToken: cancellationToken)
            : throw new InvalidOperationException($"the agent draws on resource '{resource}' but the test offered none by that name: call WithResource first");

    bool IRunStateView.TryGet(string name, out Payload value) => _state.TryGetValue(name, out value!);

    private sealed class DictionaryView(Dictionary<string, Payload> values) : IRunStateView
    {
        public IReadOnlyCollection<string> Names => values.Keys;

        public bool TryGet(string name, out Payload value) => values.TryGetValue(name, out value!);
    }
}
