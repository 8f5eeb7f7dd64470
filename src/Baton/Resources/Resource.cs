using System.Globalization;
using System.Threading.RateLimiting;
using Baton.Telemetry;
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
/// The windows run on the runtime's <see cref="TimeProvider"/>, so a test with a fake clock is
/// exact: a permit taken at <c>t</c> comes back at exactly <c>t + Window</c>, and no window of
/// that length ever holds more calls than the quota.
/// </para>
/// <para>
/// The queue is strict: while the call at its head cannot start, none behind it does, so a
/// call that needs many tokens is not starved by smaller ones.
/// </para>
/// </remarks>
public sealed class Resource : IDisposable
{
    // One lock guards the window, the queue and the counts below; every method named *_NeedsLock,
    // here and in QuotaWindow and ResourceWaitQueue, must be called holding it.
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly QuotaWindow? _window;
    private readonly ConcurrencyLimiter? _concurrency;
    private readonly ResourceWaitQueue _queue = new();
    private readonly CircuitGate? _circuit;
    private readonly bool _limited;
    private readonly KeyValuePair<string, object?> _tag;
    private int _inFlight;
    private Quota _blockedBy;
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
        _window = QuotaWindow.For(this, options, _time);
        if (options.MaxConcurrency is { } concurrency) _concurrency = Permits(concurrency);
        _limited = _window is not null || _concurrency is not null;
        _circuit = CircuitGate.For(this, options, _time);
    }

    /// <summary>The registry the resource belongs to (its shared quota), or null for a resource made on its own.</summary>
    internal ResourceRegistry? Registry { get; init; }

    /// <summary>The resource's name.</summary>
    public string Name { get; }

    /// <summary>Its quotas and circuit breaker.</summary>
    public ResourceOptions Options { get; }

    /// <summary>The circuit's state: <see cref="CircuitState.Closed"/> without a circuit breaker.</summary>
    /// <remarks>Polly moves an open circuit to half-open when the next call arrives after the cool-down, not when the cool-down ends.</remarks>
    public CircuitState Circuit => _circuit?.State ?? CircuitState.Closed;

    /// <summary>A snapshot of the queue, the windows and the circuit.</summary>
    public ResourceStatistics GetStatistics()
    {
        lock (_lock)
        {
            return new ResourceStatistics(_queue.Count, _inFlight, _window?.RequestsHeld ?? 0, _window?.TokensHeld ?? 0, _window?.Debt ?? 0, Circuit);
        }
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
        _circuit?.ThrowIfOpen();
        // The cluster's permit first: waiting for it holds none of this process's permits.
        var shared = _limited && Registry?.SharedQuota is { } quota
            ? await quota.AcquireAsync(this, estimatedTokens ?? Options.EstimatedTokensPerCall, cancellationToken).ConfigureAwait(false)
            : null;
        ResourceLease lease;
        try
        {
            lease = await AcquireAsync(priority, estimatedTokens ?? Options.EstimatedTokensPerCall, cancellationToken).ConfigureAwait(false);
        }
        catch when (shared is not null)
        {
            await shared.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        try
        {
            if (_circuit is null) return await call(state, lease, cancellationToken).ConfigureAwait(false);
            return await _circuit.ExecuteAsync(state, call, lease, cancellationToken, callerToken).ConfigureAwait(false);
        }
        catch (ResourceUnavailableException) when (!lease.Called && _circuit is not null)
        {
            // Refused by the breaker before the call: the permits it took were never used.
            ReturnUnused(lease);
            throw;
        }
        finally
        {
            Release(lease);
            if (shared is not null) await shared.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Fails every waiting call and stops the window timer.</summary>
    public void Dispose()
    {
        ResourceWaitQueue.Waiter[] waiting;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            waiting = _queue.Clear_NeedsLock();
        }

        foreach (var waiter in waiting) waiter.TrySetException(new ObjectDisposedException(nameof(Resource), $"resource '{Name}' was disposed while a call waited for it"));
        _window?.Dispose();
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

        tokens = _window?.Clamp(tokens) ?? 0;
        ResourceWaitQueue.Waiter waiter;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _time.GetTimestamp();
            if (_queue.Count == 0 && TryGrant_NeedsLock(tokens, now) is { } lease)
            {
                if (BatonTelemetry.ResourceWait.Enabled) BatonTelemetry.ResourceWait.Record(0, _tag);
                return new ValueTask<ResourceLease>(lease);
            }

            cancellationToken.ThrowIfCancellationRequested();
            waiter = _queue.Enqueue_NeedsLock(this, priority, tokens, now);
            // A call of higher priority than the head may fit where the head did not.
            Pump_NeedsLock(now);
        }

        return ResourceWaitQueue.WaitAsync(waiter, Options.MaxWait, _time, cancellationToken);
    }

    /// <summary>Replaces a call's reserved tokens with what it reports having spent.</summary>
    internal void Report(ResourceLease lease, long tokens)
    {
        if (_window is not { LimitsTokens: true } window) return;
        lock (_lock)
        {
            if (_disposed) return;
            var now = _time.GetTimestamp();
            if (window.Report_NeedsLock(lease, tokens, now)) Pump_NeedsLock(now);
        }
    }

    /// <summary>The window's timer: holds are due.</summary>
    internal void OnWindowExpired()
    {
        lock (_lock)
        {
            if (_disposed) return;
            var now = _time.GetTimestamp();
            _window!.Expire_NeedsLock(now);
            Pump_NeedsLock(now);
        }
    }

    /// <summary>Takes a waiting call out of the queue: it waited too long, or its caller gave up.</summary>
    internal void GiveUp(ResourceWaitQueue.Waiter waiter, bool timedOut, CancellationToken token)
    {
        Quota blockedBy;
        TimeSpan waited;
        lock (_lock)
        {
            // Started (or disposed) first: the lease is the caller's to release.
            if (waiter.Task.IsCompleted || !_queue.Remove_NeedsLock(waiter)) return;
            blockedBy = _blockedBy;
            var now = _time.GetTimestamp();
            waited = _time.GetElapsedTime(waiter.Since, now);
            // The call may have been the head that held the others back.
            Pump_NeedsLock(now);
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

    /// <summary>Counts a refusal in telemetry and makes its exception.</summary>
    internal ResourceUnavailableException Rejected(string code, TimeSpan? retryAfter, TimeSpan waited, string? message = null)
    {
        if (BatonTelemetry.ResourceRejections.Enabled)
        {
            BatonTelemetry.ResourceRejections.Add(1, _tag, new KeyValuePair<string, object?>(BatonTelemetry.Tags.ErrorType, code));
        }

        message ??= $"resource '{Name}' is failing fast: its circuit opened after repeated failures; the next trial call is allowed in {Format(retryAfter ?? TimeSpan.Zero)}";
        return new ResourceUnavailableException(Name, code, message, retryAfter, waited);
    }

    /// <summary>A permit counter of <paramref name="limit"/> that never queues: the resource's own queue orders the calls.</summary>
    internal static ConcurrencyLimiter Permits(int limit) =>
        new(new ConcurrencyLimiterOptions { PermitLimit = limit, QueueLimit = 0, QueueProcessingOrder = QueueProcessingOrder.OldestFirst });

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

    /// <summary>Takes every permit the call needs, or none; null when a quota is used up.</summary>
    private ResourceLease? TryGrant_NeedsLock(int tokens, long now)
    {
        RateLimitLease? request = null;
        RateLimitLease? token = null;
        if (_window is not null)
        {
            var blocked = _window.TryTake_NeedsLock(tokens, now, out request, out token);
            if (blocked != Quota.None)
            {
                _blockedBy = blocked;
                return null;
            }
        }

        RateLimitLease? slot = null;
        if (_concurrency is not null)
        {
            slot = _concurrency.AttemptAcquire(1);
            if (!slot.IsAcquired)
            {
                request?.Dispose();
                token?.Dispose();
                _blockedBy = Quota.Concurrency;
                return null;
            }
        }

        var lease = new ResourceLease(this)
        {
            RequestPermit = request,
            TokenPermit = token,
            ConcurrencyPermit = slot,
            ReservedTokens = tokens,
            Accounted = tokens,
        };
        _window?.Start_NeedsLock(lease, now);
        if (slot is not null) _inFlight++;
        return lease;
    }

    /// <summary>Starts waiting calls, best first, while the one at the head of the queue fits.</summary>
    private void Pump_NeedsLock(long now)
    {
        while (_queue.TryPeek_NeedsLock(out var waiter))
        {
            if (TryGrant_NeedsLock(waiter.Tokens, now) is not { } lease) return;
            _queue.Dequeue_NeedsLock();
            lease.Waited = _time.GetElapsedTime(waiter.Since, now);
            if (BatonTelemetry.ResourceWait.Enabled) BatonTelemetry.ResourceWait.Record(lease.Waited.TotalMilliseconds, _tag);
            // Continuations run asynchronously, never under this lock.
            waiter.TrySetResult(lease);
        }
    }

    private void ReturnUnused(ResourceLease lease)
    {
        if (_window is null) return;
        lock (_lock)
        {
            _window.Return_NeedsLock(lease);
            Pump_NeedsLock(_time.GetTimestamp());
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
            if (_queue.Count > 0) Pump_NeedsLock(_time.GetTimestamp());
        }
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
}
