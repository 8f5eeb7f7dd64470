namespace Baton.Benchmarks.Shapes;

/// <summary>
/// The least an agent can be called with outside a run: no state, no journal, no events.
/// The raw floor calls the same agents as Baton through it.
/// </summary>
public sealed class DirectContext : IStepContext, IRunStateView
{
    /// <summary>One shared instance; it holds nothing.</summary>
    public static DirectContext Instance { get; } = new();

    private DirectContext()
    {
    }

    /// <inheritdoc/>
    public string RunId => "direct";

    /// <inheritdoc/>
    public string StepId => "direct";

    /// <inheritdoc/>
    public string IdempotencyKey => "direct";

    /// <inheritdoc/>
    public int Attempt => 1;

    /// <inheritdoc/>
    public IRunStateView State => this;

    /// <inheritdoc/>
    public TimeProvider TimeProvider => TimeProvider.System;

    /// <inheritdoc/>
    public Random Random => Random.Shared;

    /// <inheritdoc/>
    public ValueTask DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => new(Task.Delay(delay, cancellationToken));

    /// <inheritdoc/>
    public ValueTask<string> AskAsync(HumanQuestion question, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the benchmark's direct context has nobody to ask");

    /// <inheritdoc/>
    public IServiceProvider? Services => null;

    /// <inheritdoc/>
    public IReadOnlyCollection<string> Names => [];

    /// <inheritdoc/>
    public bool TryGet(string name, out Payload value)
    {
        value = Payload.Empty;
        return false;
    }

    /// <inheritdoc/>
    public void SetState(string name, Payload value)
    {
    }

    /// <inheritdoc/>
    public IRunStateView PrivateState => this;

    /// <inheritdoc/>
    /// <remarks>The raw floor's agents never message each other.</remarks>
    public IAgentMessaging Messaging => throw new NotSupportedException("the raw floor has no run, so no mailboxes");

    /// <inheritdoc/>
    public void SetPrivateState(string name, Payload value)
    {
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<StateChanged> WatchState(string name, CancellationToken cancellationToken) => AsyncEnumerable.Empty<StateChanged>();

    /// <inheritdoc/>
    public void Publish(string topic, Payload data)
    {
    }

    /// <inheritdoc/>
    public void Report(string name, Payload? data = null)
    {
    }
}
