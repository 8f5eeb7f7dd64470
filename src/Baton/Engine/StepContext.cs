using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Baton;

/// <summary>
/// One attempt of one step: the engine's <see cref="IStepContext"/>, which buffers the step's
/// effects until it commits, and what composite steps use to run their children.
/// </summary>
internal sealed class StepContext(RunExecution run, string key, string stepId, int attempt, Payload input, string agent) : IStepContext, IAgentMessaging
{
    private readonly Lock _lock = new();
    private PrivateStateView? _private;
    private List<StateChange>? _changes;
    private List<Message>? _messages;
    private List<(Message Message, long Order)>? _received;
    private int _sent;
    private int _timers;
    private int _questions;
    private Random? _random;

    public string RunId => run.RunId;

    public string StepId => stepId;

    public string IdempotencyKey => run.RunId + "/" + key;

    public int Attempt => attempt;

    public IRunStateView State => run.State;

    public TimeProvider TimeProvider => run.Time;

    public IServiceProvider? Services => run.Runtime.Services;

    public Random Random => _random ??= new Random(RunExecution.StableHash(IdempotencyKey));

    public ValueTask<TResult> UseResourceAsync<TResult>(string resource, Func<ResourceLease, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken) =>
        StepResourceCalls.ExecuteAsync(this, resource, call, cancellationToken);

    public async ValueTask DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        var number = Interlocked.Increment(ref _timers);
        var due = await run.TimerDueAsync(number == 1 ? key : string.Concat(key, "#", number.ToString(CultureInfo.InvariantCulture)), delay).ConfigureAwait(false);
        var left = due - run.Time.GetUtcNow();
        if (left > TimeSpan.Zero) await Task.Delay(left, run.Time, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<string> AskAsync(HumanQuestion question, CancellationToken cancellationToken)
    {
        // A step's first question is keyed by the step, so an ask step and a step asking once share one form.
        var number = Interlocked.Increment(ref _questions);
        var questionKey = number == 1 ? key : string.Concat(key, "#", number.ToString(CultureInfo.InvariantCulture));
        return run.Runtime.Humans.AskAsync(run.RunId, questionKey, question, run, cancellationToken);
    }

    internal RunExecution Run => run;

    internal string Key => key;

    internal Payload Input => input;

    internal IReadOnlyList<StateChange>? Changes => _changes;

    internal IReadOnlyList<Message>? Messages => _messages;

    /// <summary>Ids of the messages this attempt took from its mailbox: consumed when the step commits.</summary>
    internal IReadOnlyList<string>? Received
    {
        get
        {
            lock (_lock) return _received?.Select(r => r.Message.Id).ToArray();
        }
    }

    public IAgentMessaging Messaging => this;

    public IRunStateView PrivateState => _private ??= new PrivateStateView(run.State, RunState.PrivatePrefix(agent));

    public void SetState(string name, Payload value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        if (RunState.IsPrivate(name)) throw new ArgumentException($"state names starting with '{RunState.PrivateMarker}' are reserved for private state", nameof(name));
        Write(new StateChange(name, value));
    }

    public void SetPrivateState(string name, Payload value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        Write(new StateChange(RunState.PrivatePrefix(agent) + name, value));
    }

    public IAsyncEnumerable<StateChanged> WatchState(string name, CancellationToken cancellationToken) =>
        run.State.WatchAsync(name, includeCurrent: true, cancellationToken);

    /// <summary>The attempt did not commit: what it took from its mailbox goes back, in place.</summary>
    internal void ReturnReceived()
    {
        List<(Message Message, long Order)>? received;
        lock (_lock)
        {
            received = _received;
            _received = null;
        }

        if (received is null) return;
        foreach (var (message, order) in received) run.Messages.PutBack(message, order);
    }

    void IAgentMessaging.Send(string recipient, Payload content, int priority)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(recipient);
        ArgumentNullException.ThrowIfNull(content);
        Buffer(NewMessage(recipient, content, priority, replyTo: null));
    }

    async ValueTask<Message> IAgentMessaging.ReceiveAsync(CancellationToken cancellationToken)
    {
        var item = await run.Messages.For(agent).TakeAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock) (_received ??= []).Add(item);
        return item.Message;
    }

    bool IAgentMessaging.TryReceive([NotNullWhen(true)] out Message? message)
    {
        if (!run.Messages.For(agent).TryTake(out var item))
        {
            message = null;
            return false;
        }

        lock (_lock) (_received ??= []).Add(item);
        message = item.Message;
        return true;
    }

    async Task<Message> IAgentMessaging.RequestAsync(string recipient, Payload content, TimeSpan timeout, CancellationToken cancellationToken, int priority)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(recipient);
        ArgumentNullException.ThrowIfNull(content);
        var request = NewMessage(recipient, content, priority, replyTo: null);
        Buffer(request);
        var reply = run.Messages.AwaitReply(request.Id);
        run.Messages.Deliver(request);
        try
        {
            return await reply.WaitAsync(timeout, run.Time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new AgentException(ErrorKind.Transient, $"no reply from '{recipient}' within {timeout}") { Code = "reply_timeout" };
        }
        finally
        {
            run.Messages.ForgetRequest(request.Id);
        }
    }

    void IAgentMessaging.Reply(Message request, Payload content)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(content);
        if (request.Sender is null) throw new ArgumentException("the message has no sender to reply to", nameof(request));
        var reply = NewMessage(request.Sender, content, request.Priority, replyTo: request.Id);
        Buffer(reply);
        run.Messages.CompleteReply(reply);
    }

    private Message NewMessage(string recipient, Payload content, int priority, string? replyTo)
    {
        return new Message
        {
            Id = NextMessageId(),
            Sender = agent,
            Recipient = recipient,
            Payload = content,
            Priority = priority,
            ReplyTo = replyTo,
            RunId = run.RunId,
            CorrelationId = replyTo,
            Timestamp = run.Time.GetUtcNow(),
        };
    }

    /// <summary>
    /// Deterministic: the same step attempt gives the same ids again after a crash, so a message is
    /// delivered once and an event can be deduplicated by its subscribers.
    /// </summary>
    private string NextMessageId()
    {
        var number = Interlocked.Increment(ref _sent);
        return string.Concat(run.RunId, "/", key, "#", attempt.ToString(CultureInfo.InvariantCulture), ".", number.ToString(CultureInfo.InvariantCulture));
    }

    private void Buffer(Message message)
    {
        lock (_lock) (_messages ??= []).Add(message);
    }

    private void Write(StateChange change)
    {
        lock (_lock) (_changes ??= []).Add(change);
    }

    public void Publish(string topic, Payload data)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentNullException.ThrowIfNull(data);
        Buffer(new Message
        {
            Id = NextMessageId(),
            Topic = topic,
            Payload = data,
            Sender = stepId,
            RunId = run.RunId,
            CorrelationId = IdempotencyKey,
            Timestamp = run.Time.GetUtcNow(),
        });
    }

    public void Report(string name, Payload? data = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        run.Events.Add(new CustomRunEvent(run.RunId, run.Time.GetUtcNow(), key, name, data));
    }

    /// <summary>Runs a child workflow journaled under this step; its failure comes back as a failed result.</summary>
    internal ValueTask<AgentResult> RunChildAsync(Workflow workflow, string childName, Payload childInput, CancellationToken cancellationToken) =>
        RunScopeAsync(workflow, ChildPrefix(childName), childInput, cancellationToken);

    /// <summary>Runs a nested workflow as this step's only child: its steps are keyed directly under this step.</summary>
    internal ValueTask<AgentResult> RunNestedAsync(Workflow workflow, CancellationToken cancellationToken) =>
        RunScopeAsync(workflow, key + "/", input, cancellationToken);

    private async ValueTask<AgentResult> RunScopeAsync(Workflow workflow, string prefix, Payload childInput, CancellationToken cancellationToken)
    {
        try
        {
            var (output, confidence) = await run.RunScopeAsync(workflow, childInput, prefix, cancellationToken).ConfigureAwait(false);
            return new AgentResult { Output = output, Confidence = confidence };
        }
        catch (StepFailedException failed)
        {
            return AgentResult.Failure(failed.Error);
        }
    }

    internal string ChildPrefix(string childName) => string.Concat(key, "/", childName, "/");

    /// <summary>One agent's slice of the run state, under its private prefix.</summary>
    private sealed class PrivateStateView(RunState state, string prefix) : IRunStateView
    {
        public IReadOnlyCollection<string> Names => state.PrivateNames(prefix);

        public bool TryGet(string name, out Payload value) => state.TryGetRaw(prefix + name, out value);
    }
}
