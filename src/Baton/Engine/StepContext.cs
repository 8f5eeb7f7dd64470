using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Baton;

/// <summary>
/// One attempt of one step: the engine's <see cref="IStepContext"/>, which buffers the step's
/// effects until it commits, and what composite steps use to run their children.
/// </summary>
internal sealed class StepContext(RunExecution run, ScopeState scope, string key, string stepId, int attempt, Payload input, string agent) : IStepContext, IAgentMessaging
{
    // Made on the first buffered write or message: most steps write nothing, and a step is the engine's hot path.
    private Lock? _sync;
    private PrivateStateView? _private;
    private List<StateChange>? _changes;
    private List<Message>? _messages;
    private List<(Message Message, long Order)>? _received;
    private int _sent;
    private int _timers;
    private int _questions;
    private Random? _random;
    private HumanRequest? _suspension;
    private StepHalt? _childHalt;
    private ScopeState? _joined;

    private Lock Sync => Volatile.Read(ref _sync) ?? Interlocked.CompareExchange(ref _sync, new Lock(), null) ?? _sync!;

    public string RunId => run.RunId;

    public string StepId => stepId;

    public string IdempotencyKey => run.RunId + "/" + key;

    public int Attempt => attempt;

    public IRunStateView State => scope;

    /// <summary>The step's path in the run report, when the run is watched (its children's paths start with it).</summary>
    internal string? Path { get; init; }

    /// <summary>The state of the scope this step runs in: what it reads, and where its writes commit.</summary>
    internal ScopeState Scope => scope;

    /// <summary>
    /// Where this step's children join (a composite's branches, items, nodes, tries, its nested workflow): each child
    /// writes into a scope of its own under it, joined here in child order; the step commits what joined with itself.
    /// </summary>
    internal ScopeState? Joined => Volatile.Read(ref _joined);

    /// <summary>A scope for one child of this step, seeing what joined so far and <paramref name="inherited"/> writes.</summary>
    internal ScopeState ChildScope(IReadOnlyList<StateChange>? inherited = null)
    {
        var joined = Volatile.Read(ref _joined) ?? Interlocked.CompareExchange(ref _joined, scope.Child(), null) ?? _joined!;
        return joined.Child(inherited);
    }

    public TimeProvider TimeProvider => run.Time;

    public IServiceProvider? Services => run.Host.Services;

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
        return AskAsync(questionKey, question, cancellationToken);
    }

    /// <summary>Asks under a question key; remembers a suspension, so the engine suspends the step whatever the agent does with the exception.</summary>
    internal async ValueTask<string> AskAsync(string questionKey, HumanQuestion question, CancellationToken cancellationToken)
    {
        try
        {
            return await run.Host.Humans.AskAsync(run.RunId, questionKey, question, run, cancellationToken).ConfigureAwait(false);
        }
        catch (RunSuspendedException suspended)
        {
            Interlocked.CompareExchange(ref _suspension, suspended.Request, null);
            throw;
        }
    }

    /// <summary>The question the run suspended on while this attempt asked, or null.</summary>
    internal HumanRequest? Suspension => Volatile.Read(ref _suspension);

    /// <summary>How a child step the agent ran (<see cref="ChildSteps.RunChildAsync"/>) halted, so the step halts the same way; or null.</summary>
    internal StepHalt? ChildHalt => Volatile.Read(ref _childHalt);

    /// <summary>Remembers a child's halt (a suspension as this attempt's own), whatever the agent does with the exception it gets.</summary>
    internal void HaltWith(AgentResult halted)
    {
        if (halted.Halt?.Outcome is { Kind: OutcomeKind.Suspended, Request: { } request }) Interlocked.CompareExchange(ref _suspension, request, null);
        else if (halted.Halt is { } halt) Interlocked.CompareExchange(ref _childHalt, halt, null);
    }

    /// <summary>True once this attempt ran a nested workflow: trying again replays the children it completed.</summary>
    internal bool RanNested { get; private set; }

    /// <summary>True while this attempt holds one of the run's concurrency slots.</summary>
    internal bool HoldsSlot { get; set; }

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
            // Nothing taken: no lock to make (the usual case, read at every commit).
            if (Volatile.Read(ref _sync) is null) return null;
            lock (Sync) return _received?.Select(r => r.Message.Id).ToArray();
        }
    }

    public IAgentMessaging Messaging => this;

    public IRunStateView PrivateState => _private ??= new PrivateStateView(scope, agent);

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
        Write(new StateChange(name, value) { Agent = agent });
    }

    public IAsyncEnumerable<StateChanged> WatchState(string name, CancellationToken cancellationToken) =>
        run.State.WatchAsync(name, includeCurrent: true, cancellationToken);

    /// <summary>The attempt did not commit: what it took from its mailbox goes back, in place.</summary>
    internal void ReturnReceived()
    {
        List<(Message Message, long Order)>? received;
        if (Volatile.Read(ref _sync) is null) return;
        lock (Sync)
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
        lock (Sync) (_received ??= []).Add(item);
        return item.Message;
    }

    bool IAgentMessaging.TryReceive([NotNullWhen(true)] out Message? message)
    {
        if (!run.Messages.For(agent).TryTake(out var item))
        {
            message = null;
            return false;
        }

        lock (Sync) (_received ??= []).Add(item);
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
        lock (Sync) (_messages ??= []).Add(message);
    }

    private void Write(StateChange change)
    {
        lock (Sync) (_changes ??= []).Add(change);
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

    /// <summary>Runs a child workflow journaled under this step; its failure comes back as a failed result, a halt as a result carrying it.</summary>
    internal async ValueTask<AgentResult> RunChildAsync(Workflow workflow, string childName, Payload childInput, CancellationToken cancellationToken)
    {
        var child = ChildScope();
        var outcome = await run.RunScopeAsync(workflow, childInput, ChildPrefix(childName), child, cancellationToken, paths: ScopePaths.Under(Path, childName)).ConfigureAwait(false);
        Joined!.Join(child.Written());
        return outcome.ToResult();
    }

    /// <summary>
    /// Runs a nested workflow as this step's only child: its steps are keyed directly under this step. An agent step
    /// (a workflow agent behind a decorator) gives its concurrency slot back while its children run, so nesting
    /// never deadlocks on the run's parallelism bound.
    /// </summary>
    internal async ValueTask<AgentResult> RunNestedAsync(Workflow workflow, Payload nestedInput, CancellationToken cancellationToken)
    {
        RanNested = true;
        var released = HoldsSlot;
        if (released)
        {
            HoldsSlot = false;
            run.Slots.Release();
        }

        try
        {
            var child = ChildScope();
            var outcome = await run.RunScopeAsync(workflow, nestedInput, StepKey.NestedScope(key), child, cancellationToken, paths: ScopePaths.Under(Path, null)).ConfigureAwait(false);
            Joined!.Join(child.Written());
            return outcome.ToResult();
        }
        finally
        {
            if (released)
            {
                await run.Slots.EnterAsync(CancellationToken.None).ConfigureAwait(false);
                HoldsSlot = true;
            }
        }
    }

    internal string ChildPrefix(string childName) => StepKey.ChildScope(key, childName);

    /// <summary>One agent's own slice of the run state, by its identity.</summary>
    private sealed class PrivateStateView(ScopeState state, string agent) : IRunStateView
    {
        public IReadOnlyCollection<string> Names => state.PrivateNames(agent);

        public bool TryGet(string name, out Payload value) => state.TryGetPrivate(agent, name, out value);
    }
}
