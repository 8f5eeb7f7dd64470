using Polly;
using Polly.CircuitBreaker;

namespace Baton;

/// <summary>
/// A <see cref="Resource"/>'s circuit breaker: Polly's, driven by the resource's clock, with what
/// Polly leaves out — a refusal before the call waits for a permit (<see cref="ThrowIfOpen"/>),
/// and a refusal that tells the cool-down left as Retry-After (<c>circuit_open</c>).
/// </summary>
/// <remarks>
/// Polly keeps the circuit's state under its own lock; this gate only mirrors when the circuit
/// opened, in one field written with <see cref="Volatile"/>, so a call is turned away before it
/// queues for a quota it could not use.
/// </remarks>
internal sealed class CircuitGate
{
    private static readonly ResiliencePropertyKey<ResourceLease> LeaseKey = new("baton.resource.lease");

    private readonly Resource _owner;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _state = new();
    private readonly bool[] _counted = new bool[3];
    private long _openUntil;

    private CircuitGate(Resource owner, CircuitBreakerOptions breaker, TimeProvider time)
    {
        _owner = owner;
        _time = time;
        foreach (var kind in breaker.FailureKinds) _counted[(int)kind] = true;
        _pipeline = new ResiliencePipelineBuilder { Name = "baton.resource." + owner.Name, TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.FailureThreshold,
                SamplingDuration = breaker.SamplingDuration,
                BreakDuration = breaker.BreakDuration,
                StateProvider = _state,
                ShouldHandle = args => new ValueTask<bool>(IsFailure(args.Outcome.Exception, args.Context)),
                OnOpened = args => OpenFor(args.BreakDuration),
                OnHalfOpened = _ => OpenFor(breaker.BreakDuration),
                OnClosed = _ =>
                {
                    Volatile.Write(ref _openUntil, 0);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>The circuit's state.</summary>
    public CircuitState State => _state.CircuitState;

    /// <summary>The gate of <paramref name="owner"/>'s circuit breaker; null when it has none.</summary>
    public static CircuitGate? For(Resource owner, ResourceOptions options, TimeProvider time) =>
        options.CircuitBreaker is { } breaker ? new CircuitGate(owner, breaker, time) : null;

    /// <summary>Turns a call away while the circuit is open and its cool-down lasts.</summary>
    /// <exception cref="ResourceUnavailableException"><c>circuit_open</c>, with the cool-down left as Retry-After.</exception>
    public void ThrowIfOpen()
    {
        if (Volatile.Read(ref _openUntil) == 0) return;
        var left = RemainingCoolDown();
        // Past the cool-down the call goes on: the breaker lets one trial through.
        if (left > TimeSpan.Zero) throw _owner.Rejected(ResourceUnavailableException.CircuitOpen, left, default);
    }

    /// <summary>
    /// Makes the call through the breaker, which counts its failures: an exception, or a failure
    /// reported on the lease, of a kind the breaker counts — unless <paramref name="callerToken"/>
    /// was cancelled (the caller gave up, which says nothing about the service).
    /// </summary>
    /// <exception cref="ResourceUnavailableException">
    /// <c>circuit_open</c>: the breaker refused the call before it was made (<see cref="ResourceLease.Called"/> is false).
    /// </exception>
    public async ValueTask<TResult> ExecuteAsync<TState, TResult>(TState state, Func<TState, ResourceLease, CancellationToken, ValueTask<TResult>> call, ResourceLease lease,
        CancellationToken cancellationToken, CancellationToken callerToken)
    {
        lease.CallerToken = callerToken;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(LeaseKey, lease);
        try
        {
            return await _pipeline.ExecuteAsync(
                static (context, s) =>
                {
                    s.lease.Called = true;
                    return s.call(s.state, s.lease, context.CancellationToken);
                },
                context,
                (state, call, lease)).ConfigureAwait(false);
        }
        catch (BrokenCircuitException broken) when (!lease.Called)
        {
            throw _owner.Rejected(ResourceUnavailableException.CircuitOpen, broken.RetryAfter ?? RemainingCoolDown(), default);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
            // The lease may stay in a window for a minute: it must not keep the caller's token source alive.
            lease.CallerToken = default;
        }
    }

    private TimeSpan RemainingCoolDown()
    {
        var until = Volatile.Read(ref _openUntil);
        var now = _time.GetTimestamp();
        return until > now ? _time.GetElapsedTime(now, until) : TimeSpan.Zero;
    }

    private ValueTask OpenFor(TimeSpan duration)
    {
        var now = _time.GetTimestamp();
        var ticks = duration >= TimeSpan.FromDays(365) ? long.MaxValue - now : (long)((Int128)duration.Ticks * _time.TimestampFrequency / TimeSpan.TicksPerSecond);
        Volatile.Write(ref _openUntil, now + ticks);
        return ValueTask.CompletedTask;
    }

    private bool IsFailure(Exception? exception, ResilienceContext context)
    {
        var lease = context.Properties.GetValue(LeaseKey, null!);
        if (exception is null) return lease?.Failure is { } kind && _counted[(int)kind];
        // The caller giving up says nothing about the service; neither does another resource refusing.
        if (exception is OperationCanceledException && lease?.CallerToken.IsCancellationRequested == true) return false;
        if (exception is ResourceUnavailableException) return false;
        return _counted[(int)ErrorClassifier.Classify(exception).Kind];
    }
}
