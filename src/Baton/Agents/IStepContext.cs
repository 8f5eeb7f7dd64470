namespace Baton;

/// <summary>
/// Everything a running step may do in its run. State writes, messages sent with
/// <see cref="IAgentMessaging.Send"/> and publications are buffered and committed with the step's
/// completion, atomically, so a step that fails or is re-run after a crash leaves none of them
/// half-applied. A few things take effect at once, because the step needs them before it can
/// finish: <see cref="IAgentMessaging.RequestAsync"/> delivers its request and
/// <see cref="IAgentMessaging.Reply"/> hands its reply to the requester (both are journaled only
/// with the commit); <see cref="Report"/> events reach watchers; <see cref="AskAsync"/> and
/// <see cref="DelayAsync"/> record their question and due time.
/// </summary>
public interface IStepContext
{
    /// <summary>The run this step belongs to.</summary>
    string RunId { get; }

    /// <summary>The step's id in its workflow.</summary>
    string StepId { get; }

    /// <summary>
    /// Stable across retries and across a resume after a crash (run id + the step's position in
    /// the run): tools use it to deduplicate side effects.
    /// </summary>
    string IdempotencyKey { get; }

    /// <summary>1 for the first attempt, 2 for the first retry, ...</summary>
    int Attempt { get; }

    /// <summary>The run's shared state as committed so far (not this step's own writes, which apply when it commits).</summary>
    IRunStateView State { get; }

    /// <summary>Writes a state variable; applied through the variable's reducer when the step commits.</summary>
    void SetState(string name, Payload value);

    /// <summary>
    /// This agent's private state: variables only steps of the same agent read and write (its
    /// memory across the run's steps and loops), committed with the step like shared state.
    /// </summary>
    IRunStateView PrivateState { get; }

    /// <summary>Writes a variable of this agent's private state.</summary>
    void SetPrivateState(string name, Payload value);

    /// <summary>
    /// Committed writes to a shared variable, in journal order, as other steps (a sibling branch,
    /// another agent) make them: the current value first, when there is one. Ends when the token is cancelled.
    /// </summary>
    IAsyncEnumerable<StateChanged> WatchState(string name, CancellationToken cancellationToken);

    /// <summary>Direct messages to and from the other agents of this run (mailboxes, request/reply; see <see cref="IAgentMessaging"/> for what is sent at once).</summary>
    IAgentMessaging Messaging { get; }

    /// <summary>Publishes an event on the runtime's event bus once the step commits (a broadcast to a topic).</summary>
    void Publish(string topic, Payload data);

    /// <summary>Adds a custom event (progress, token deltas, ...) to the run's event stream.</summary>
    void Report(string name, Payload? data = null);

    /// <summary>
    /// Random numbers seeded from <see cref="IdempotencyKey"/>: a step re-run after a crash or retried draws the
    /// same numbers, so a resumed run makes the same choices. Not for secrets.
    /// </summary>
    Random Random { get; }

    /// <summary>
    /// Waits on a durable timer: its due time is journaled when first set, so a step re-run after a crash waits
    /// only for what is left of it (on <see cref="TimeProvider"/>).
    /// </summary>
    ValueTask DelayAsync(TimeSpan delay, CancellationToken cancellationToken);

    /// <summary>
    /// Asks a person and waits for the answer (a tool call needing approval, a missing detail): the run may
    /// suspend until it comes, and a step re-run after a resume gets the same answer without asking again.
    /// </summary>
    /// <exception cref="RunSuspendedException">The run suspends to wait for the answer: let it through (it is not a
    /// cancellation); the step runs again, and gets the answer, when the run resumes.</exception>
    ValueTask<string> AskAsync(HumanQuestion question, CancellationToken cancellationToken);

    /// <summary>The clock the run uses; agents should use it instead of <see cref="DateTime.Now"/>.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>Services from the host, when the runtime was built with dependency injection.</summary>
    IServiceProvider? Services { get; }

    /// <summary>
    /// Makes one call to a rate-limited service through the runtime's resource named
    /// <paramref name="resource"/>: waits for its quotas, goes through its circuit breaker, and hands
    /// the call the lease it reports its tokens on. For an agent that calls a service several times
    /// in one step (a model agent's tool loop), so that every call counts, where a step's own
    /// <see cref="Step.Resource"/> counts one call per attempt.
    /// </summary>
    /// <exception cref="ResourceUnavailableException">The wait passed the resource's maximum wait, or its circuit is open.</exception>
    /// <exception cref="AgentException">A fatal error coded <c>unknown_resource</c>: the runtime has no such resource.</exception>
    /// <exception cref="NotSupportedException">This context offers no resources (the default).</exception>
    ValueTask<TResult> UseResourceAsync<TResult>(string resource, Func<ResourceLease, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"this step context ({GetType().Name}) offers no resources, so the agent cannot draw on '{resource}'");
}
