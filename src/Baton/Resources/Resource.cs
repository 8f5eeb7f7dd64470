using System.Diagnostics;
using System.Globalization;
using System.Threading.RateLimiting;
using Baton.Telemetry;
using Polly;
using Polly.CircuitBreaker;

namespace Baton;

/// <summary>
/// A named service with quotas — requests and tokens per rolling window, calls in flight — and
/// an optional circuit breaker. A call that finds a quota used up waits in a priority queue
/// (higher priority first, arrival order among equals) until the quota frees, at most
/// <see cref="ResourceOptions.MaxWait"/>; it is neither failed at once nor left to retry in a storm.
/// </summary>
/// <remarks>
/// <para>
/// Permits are counted by <see cref="ConcurrencyLimiter"/>s from System.Threading.RateLimiting:
/// one for calls in flight, and one each for requests and tokens whose permits are held for a
/// window from the moment the call starts. The windows run on the runtime's
/// <see cref="TimeProvider"/> (the built-in replenishing limiters read the machine's clock,
/// which a fake clock cannot drive), so a test with a fake clock is exact: a permit taken at
/// <c>t</c> comes back at exactly <c>t + Window</c>, and no window of that length ever holds
/// more calls than the quota.
/// </para>
/// <para>
/// The queue is strict: while the call at its head cannot start, none behind it does, so a
/// call that needs many tokens is not starved by smaller ones.
/// </para>
/// </remarks>
public sealed class Resource : IDisposable
{
    private static readonly ResiliencePropertyKey<ResourceLease> LeaseKey = new("baton.resource.lease");

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly ConcurrencyLimiter? _requests;
    private readonly ConcurrencyLimiter? _tokens;
    private readonly ConcurrencyLimiter? _concurrency;
    private readonly bool _limited;
    private readonly long _window;
    private readonly Queue<ResourceLease> _holds = new();
    private readonly PriorityQueue<Waiter, (int Priority, long Sequence)> _waiters = new(QueueOrder.Instance);
    private readonly ITimer? _expiry;
    private readonly ResiliencePipeline? _circuit;
    private readonly CircuitBreakerStateProvider? _circuitState;
    private readonly bool[] _counted = new bool[3];
    private readonly KeyValuePair<string, object?> _tag;
    private long _openUntil;
    private long _sequence;
    private long _debt;
    private int _requestsHeld;
    private int _tokensHeld;
    private int _inFlight;
    private Quota _blockedBy;
    private bool _expiryArmed;
    private bool _disposed;

    /// <summary>Creates a resource; a <see cref="BatonRuntime"/> makes them through <see cref="BatonRuntime.Resources"/>.</summary>
    /// <param name="name">The name steps use to draw on it.</param>
    /// <param name="options">Its quotas and circuit breaker.</param>
    /// <param name="timeProvider">The clock its windows, waits and circuit run on; the system clock when null.</param>
    public Resource(string name, ResourceOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(name);
        Name = name;
        Options = options;
        _time = timeProvider ?? TimeProvider.System;
        _tag = new KeyValuePair<string, object?>(BatonTelemetry.Tags.Resource, name);
        _window = (long)((Int128)options.Window.Ticks * _time.TimestampFrequency / TimeSpan.TicksPerSecond);
        if (options.RequestsPerMinute is { } requests) _requests = Permits(requests);
        if (options.TokensPerMinute is { } tokens) _tokens = Permits(tokens);
        if (options.MaxConcurrency is { } concurrency) _concurrency = Permits(concurrency);
        _limited = _requests is not null || _tokens is not null || _concurrency is not null;
        if (_requests is not null || _tokens is not null)
        {
            _expiry = _time.CreateTimer(static state => ((Resource)state!).OnExpiry(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        if (options.CircuitBreaker is { } breaker)
        {
            foreach (var kind in breaker.FailureKinds) _counted[(int)kind] = true;
            _circuitState = new CircuitBreakerStateProvider();
            _circuit = new ResiliencePipelineBuilder { Name = "baton.resource." + name, TimeProvider = _time }
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions
                {
                    FailureRatio = breaker.FailureRatio,
                    MinimumThroughput = breaker.FailureThreshold,
                    SamplingDuration = breaker.SamplingDuration,
                    BreakDuration = breaker.BreakDuration,
                    StateProvider = _circuitState,
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
    }

    /// <summary>The resource's name.</summary>
    public string Name { get; }

    /// <summary>Its quotas and circuit breaker.</summary>
    public ResourceOptions Options { get; }

    /// <summary>The circuit's state: <see cref="CircuitState.Closed"/> without a circuit breaker.</summary>
    /// <remarks>Polly moves an open circuit to half-open when the next call arrives after the cool-down, not when the cool-down ends.</remarks>
    public CircuitState Circuit => _circuitState?.CircuitState ?? CircuitState.Closed;

    /// <summary>A snapshot of the queue, the windows and the circuit.</summary>
    public ResourceStatistics GetStatistics()
    {
        lock (_lock) return new ResourceStatistics(_waiters.Count, _inFlight, _requestsHeld, _tokensHeld, _debt, Circuit);
    }

    /// <summary>
    /// Runs <paramref name="call"/> when the resource lets it: fails fast while the circuit is
    /// open, waits in the queue while a quota is used up, then calls through the circuit breaker
    /// and releases the permits when the call ends.
    /// </summary>
    /// <param name="call">The call; report its token usage (and a failure it returns as a value) on the lease.</param>
    /// <param name="priority">Rank in the queue: higher first, arrival order among equals.</param>
    /// <param name="estimatedTokens">Tokens to reserve before the call; <see cref="ResourceOptions.EstimatedTokensPerCall"/> when null.</param>
    /// <param name="cancellationToken">Cancels the wait (leaving the queue) and the call.</param>
    /// <exception cref="ResourceUnavailableException">The wait passed <see cref="ResourceOptions.MaxWait"/>, or the circuit is open.</exception>
    public ValueTask<TResult> ExecuteAsync<TResult>(Func<ResourceLease, CancellationToken, ValueTask<TResult>> call, int priority = 0, int? estimatedTokens = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return ExecuteAsync(call, static (call, lease, ct) => call(lease, ct), priority, estimatedTokens, cancellationToken, cancellationToken);
    }

    /// <summary>
    /// The engine's way in: <paramref name="callerToken"/> is the token whose cancellation means
    /// the caller gave up (not counted as a failure), where <paramref name="cancellationToken"/>
    /// may also carry a timeout (counted).
    /// </summary>
    internal async ValueTask<TResult> ExecuteAsync<TState, TResult>(TState state, Func<TState, ResourceLease, CancellationToken, ValueTask<TResult>> call, int priority, int? estimatedTokens,
        CancellationToken cancellationToken, CancellationToken callerToken)
    {
        ThrowIfCircuitOpen();
        var lease = await AcquireAsync(priority, estimatedTokens ?? Options.EstimatedTokensPerCall, cancellationToken).ConfigureAwait(false);
        try
        {
            if (_circuit is null) return await call(state, lease, cancellationToken).ConfigureAwait(false);
            lease.CallerToken = callerToken;
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(LeaseKey, lease);
            try
            {
                return await _circuit.ExecuteAsync(
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
                // Refused before the call: the permits it took were never used.
                ReturnUnused(lease);
                throw Rejected(ResourceUnavailableException.CircuitOpen, broken.RetryAfter ?? RemainingCoolDown(), default);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
        finally
        {
            // The lease may stay in a window for a minute: it must not keep the caller's token source alive.
            lease.CallerToken = default;
            Release(lease);
        }
    }

    /// <summary>Fails every waiting call and stops the window timer.</summary>
    public void Dispose()
    {
        List<Waiter> waiting;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            waiting = [.. _waiters.UnorderedItems.Select(w => w.Element)];
            _waiters.Clear();
            _expiry?.Dispose();
        }

        foreach (var waiter in waiting) waiter.TrySetException(new ObjectDisposedException(nameof(Resource), $"resource '{Name}' was disposed while a call waited for it"));
        _requests?.Dispose();
        _tokens?.Dispose();
        _concurrency?.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>Takes the permits for one call, waiting in the queue when a quota is used up.</summary>
    internal ValueTask<ResourceLease> AcquireAsync(int priority, int tokens, CancellationToken cancellationToken)
    {
        if (!_limited)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new ValueTask<ResourceLease>(new ResourceLease(this));
        }

        tokens = _tokens is null ? 0 : Math.Clamp(tokens, 0, Options.TokensPerMinute!.Value);
        Waiter waiter;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _time.GetTimestamp();
            if (_waiters.Count == 0 && TryGrant(tokens, now) is { } lease)
            {
                if (BatonTelemetry.ResourceWait.Enabled) BatonTelemetry.ResourceWait.Record(0, _tag);
                return new ValueTask<ResourceLease>(lease);
            }

            cancellationToken.ThrowIfCancellationRequested();
            waiter = new Waiter(this, tokens, now);
            _waiters.Enqueue(waiter, (priority, _sequence++));
            // A call of higher priority than the head may fit where the head did not.
            Pump(now);
        }

        return WaitAsync(waiter, cancellationToken);
    }

    /// <summary>Replaces a call's reserved tokens with what it reports having spent.</summary>
    internal void Report(ResourceLease lease, long tokens)
    {
        if (_tokens is null) return;
        lock (_lock)
        {
            if (_disposed) return;
            var delta = tokens - lease.Accounted;
            if (delta == 0) return;
            lease.Accounted = tokens;
            var now = _time.GetTimestamp();
            if (delta < 0)
            {
                // Over-estimated: free the difference while the call still holds it (once its window
                // has passed there is nothing left to free).
                Resize(lease, (int)Math.Max(0, lease.ReservedTokens + delta));
            }
            else
            {
                // Under-estimated: grow the call's hold as far as the window has room; the rest is debt.
                var grow = (int)Math.Min(delta, Options.TokensPerMinute!.Value - _tokensHeld);
                if (grow > 0)
                {
                    Resize(lease, lease.ReservedTokens + grow);
                    if (!lease.InWindow) Hold(lease, now);
                }

                _debt += delta - grow;
            }

            Pump(now);
        }
    }

    private static ConcurrencyLimiter Permits(int limit) =>
        new(new ConcurrencyLimiterOptions { PermitLimit = limit, QueueLimit = 0, QueueProcessingOrder = QueueProcessingOrder.OldestFirst });

    /// <summary>Takes every permit the call needs, or none; null when a quota is used up.</summary>
    private ResourceLease? TryGrant(int tokens, long now)
    {
        if (_debt > 0) PayDebt(now);
        RateLimitLease? request = null;
        RateLimitLease? token = null;
        RateLimitLease? slot = null;
        if (_requests is not null)
        {
            request = _requests.AttemptAcquire(1);
            if (!request.IsAcquired) return Blocked(Quota.Requests, null, null);
        }

        if (_tokens is not null)
        {
            // Zero tokens still needs a token left: a call without an estimate waits while the window is spent.
            token = _tokens.AttemptAcquire(tokens);
            if (!token.IsAcquired) return Blocked(Quota.Tokens, request, null);
        }

        if (_concurrency is not null)
        {
            slot = _concurrency.AttemptAcquire(1);
            if (!slot.IsAcquired) return Blocked(Quota.Concurrency, request, token);
        }

        var lease = new ResourceLease(this)
        {
            RequestPermit = request,
            TokenPermit = tokens > 0 ? token : null,
            ConcurrencyPermit = slot,
            ReservedTokens = tokens,
            Accounted = tokens,
        };
        if (request is not null) _requestsHeld++;
        _tokensHeld += tokens;
        if (slot is not null) _inFlight++;
        if (request is not null || tokens > 0) Hold(lease, now);
        return lease;
    }

    private ResourceLease? Blocked(Quota quota, RateLimitLease? first, RateLimitLease? second)
    {
        first?.Dispose();
        second?.Dispose();
        _blockedBy = quota;
        return null;
    }

    /// <summary>Keeps a call's window permits until <c>now + Window</c>.</summary>
    private void Hold(ResourceLease lease, long now)
    {
        lease.Due = now + _window;
        lease.InWindow = true;
        _holds.Enqueue(lease);
        ArmExpiry(now);
    }

    /// <summary>Sets the timer for the oldest hold, unless it is set already (holds expire in the order they were taken).</summary>
    private void ArmExpiry(long now)
    {
        if (_expiryArmed || !_holds.TryPeek(out var oldest)) return;
        _expiryArmed = true;
        _expiry!.Change(_time.GetElapsedTime(now, oldest.Due), Timeout.InfiniteTimeSpan);
    }

    private void OnExpiry()
    {
        lock (_lock)
        {
            _expiryArmed = false;
            if (_disposed) return;
            var now = _time.GetTimestamp();
            while (_holds.TryPeek(out var hold) && hold.Due <= now)
            {
                _holds.Dequeue();
                hold.InWindow = false;
                if (hold.RequestPermit is { } request)
                {
                    request.Dispose();
                    hold.RequestPermit = null;
                    _requestsHeld--;
                }

                Resize(hold, 0);
            }

            Pump(now);
            ArmExpiry(now);
        }
    }

    /// <summary>Sets the tokens a lease holds in the window (the new amount always fits: the old one is given back first).</summary>
    private void Resize(ResourceLease lease, int tokens)
    {
        if (lease.ReservedTokens == tokens) return;
        lease.TokenPermit?.Dispose();
        _tokensHeld -= lease.ReservedTokens;
        lease.TokenPermit = null;
        if (tokens > 0)
        {
            lease.TokenPermit = _tokens!.AttemptAcquire(tokens);
            Debug.Assert(lease.TokenPermit.IsAcquired, "the tokens just given back make room");
        }

        _tokensHeld += tokens;
        lease.ReservedTokens = tokens;
    }

    /// <summary>Charges reported tokens the window had no room for, as far as it has room now.</summary>
    private void PayDebt(long now)
    {
        var room = Options.TokensPerMinute!.Value - _tokensHeld;
        if (room <= 0) return;
        var charge = (int)Math.Min(_debt, room);
        var hold = new ResourceLease(this);
        Resize(hold, charge);
        Hold(hold, now);
        _debt -= charge;
    }

    /// <summary>Starts waiting calls, best first, while the one at the head of the queue fits.</summary>
    private void Pump(long now)
    {
        while (_waiters.TryPeek(out var waiter, out _))
        {
            if (TryGrant(waiter.Tokens, now) is not { } lease) return;
            _waiters.Dequeue();
            lease.Waited = _time.GetElapsedTime(waiter.Since, now);
            if (BatonTelemetry.ResourceWait.Enabled) BatonTelemetry.ResourceWait.Record(lease.Waited.TotalMilliseconds, _tag);
            // Continuations run asynchronously, never under this lock.
            waiter.TrySetResult(lease);
        }
    }

    private async ValueTask<ResourceLease> WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        if (Options.MaxWait is { } maxWait)
        {
            waiter.Timer = _time.CreateTimer(static state => ((Waiter)state!).Owner.GiveUp((Waiter)state!, timedOut: true, default), waiter, maxWait, Timeout.InfiniteTimeSpan);
        }

        waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Owner.GiveUp((Waiter)state!, timedOut: false, token), waiter);
        try
        {
            return await waiter.Task.ConfigureAwait(false);
        }
        finally
        {
            await waiter.Registration.DisposeAsync().ConfigureAwait(false);
            waiter.Timer?.Dispose();
        }
    }

    /// <summary>Takes a waiting call out of the queue: it waited too long, or its caller gave up.</summary>
    private void GiveUp(Waiter waiter, bool timedOut, CancellationToken token)
    {
        Quota blockedBy;
        TimeSpan waited;
        lock (_lock)
        {
            // Started (or disposed) first: the lease is the caller's to release.
            if (waiter.Task.IsCompleted || !_waiters.Remove(waiter, out _, out _)) return;
            blockedBy = _blockedBy;
            var now = _time.GetTimestamp();
            waited = _time.GetElapsedTime(waiter.Since, now);
            // The call may have been the head that held the others back.
            Pump(now);
        }

        if (!timedOut)
        {
            waiter.TrySetCanceled(token);
            return;
        }

        var exception = Rejected(ResourceUnavailableException.QuotaWait, null, waited,
            $"a call waited {Format(waited)} for resource '{Name}' and gave up: {Describe(blockedBy)} stayed used up; " +
            "raise the resource's MaxWait or its quota, or send fewer calls");
        waiter.TrySetException(exception);
    }

    private void ReturnUnused(ResourceLease lease)
    {
        if (!_limited) return;
        lock (_lock)
        {
            if (lease.RequestPermit is { } request)
            {
                request.Dispose();
                lease.RequestPermit = null;
                _requestsHeld--;
            }

            Resize(lease, 0);
            lease.Accounted = 0;
            Pump(_time.GetTimestamp());
        }
    }

    /// <summary>Gives back the concurrency permit when the call ends; its window permits stay until the window passes.</summary>
    private void Release(ResourceLease lease)
    {
        if (lease.ConcurrencyPermit is null) return;
        lock (_lock)
        {
            lease.ConcurrencyPermit.Dispose();
            lease.ConcurrencyPermit = null;
            _inFlight--;
            if (_waiters.Count > 0) Pump(_time.GetTimestamp());
        }
    }

    private void ThrowIfCircuitOpen()
    {
        if (_circuit is null || Volatile.Read(ref _openUntil) == 0) return;
        var left = RemainingCoolDown();
        // Past the cool-down the call goes on: the breaker lets one trial through.
        if (left > TimeSpan.Zero) throw Rejected(ResourceUnavailableException.CircuitOpen, left, default);
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

    private ResourceUnavailableException Rejected(string code, TimeSpan? retryAfter, TimeSpan waited, string? message = null)
    {
        if (BatonTelemetry.ResourceRejections.Enabled)
        {
            BatonTelemetry.ResourceRejections.Add(1, _tag, new KeyValuePair<string, object?>(BatonTelemetry.Tags.ErrorType, code));
        }

        message ??= $"resource '{Name}' is failing fast: its circuit opened after repeated failures; the next trial call is allowed in {Format(retryAfter ?? TimeSpan.Zero)}";
        return new ResourceUnavailableException(Name, code, message, retryAfter, waited);
    }

    private string Describe(Quota quota)
    {
        var per = Options.Window == TimeSpan.FromMinutes(1) ? "minute" : Format(Options.Window);
        return quota switch
        {
            Quota.Requests => string.Create(CultureInfo.InvariantCulture, $"its request quota ({Options.RequestsPerMinute} per {per})"),
            Quota.Tokens => string.Create(CultureInfo.InvariantCulture, $"its token quota ({Options.TokensPerMinute} per {per})"),
            Quota.Concurrency => string.Create(CultureInfo.InvariantCulture, $"its concurrency limit ({Options.MaxConcurrency} calls at once)"),
            _ => "its quota",
        };
    }

    /// <summary>A duration as people write it: 250 ms, 30 s, 2 min 5 s.</summary>
    internal static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1)) return string.Create(CultureInfo.InvariantCulture, $"{Math.Round(duration.TotalMilliseconds)} ms");
        if (duration < TimeSpan.FromMinutes(1)) return string.Create(CultureInfo.InvariantCulture, $"{Math.Round(duration.TotalSeconds, 1)} s");
        var minutes = (long)duration.TotalMinutes;
        var seconds = duration.Seconds;
        return seconds == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{minutes} min")
            : string.Create(CultureInfo.InvariantCulture, $"{minutes} min {seconds} s");
    }

    /// <summary>The quota that last kept a call from starting.</summary>
    private enum Quota
    {
        None,
        Requests,
        Tokens,
        Concurrency,
    }

    /// <summary>A call waiting in the queue.</summary>
    private sealed class Waiter(Resource owner, int tokens, long since) : TaskCompletionSource<ResourceLease>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public Resource Owner => owner;

        public int Tokens => tokens;

        public long Since => since;

        public ITimer? Timer { get; set; }

        public CancellationTokenRegistration Registration { get; set; }
    }

    /// <summary>Higher priority first; among equals, the one that came first.</summary>
    private sealed class QueueOrder : IComparer<(int Priority, long Sequence)>
    {
        public static QueueOrder Instance { get; } = new();

        public int Compare((int Priority, long Sequence) x, (int Priority, long Sequence) y) =>
            x.Priority != y.Priority ? y.Priority.CompareTo(x.Priority) : x.Sequence.CompareTo(y.Sequence);
    }
}
