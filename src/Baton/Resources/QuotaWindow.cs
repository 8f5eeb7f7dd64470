using System.Diagnostics;
using System.Threading.RateLimiting;

namespace Baton;

/// <summary>
/// The rolling window of a <see cref="Resource"/>'s request and token quotas: the permits a call
/// takes when it starts are held until exactly one <see cref="ResourceOptions.Window"/> later,
/// when a timer on the resource's <see cref="TimeProvider"/> gives them back.
/// </summary>
/// <remarks>
/// <para>
/// Permits are counted by <see cref="ConcurrencyLimiter"/>s from System.Threading.RateLimiting,
/// released by this window's own timer: the built-in replenishing limiters read the machine's
/// clock, which a fake clock cannot drive. So a test with a fake clock is exact: a permit taken at
/// <c>t</c> comes back at exactly <c>t + Window</c>, and no window of that length ever holds more
/// calls than the quota.
/// </para>
/// <para>
/// The window has no lock of its own: its resource's lock guards it, and every member named
/// <c>*_NeedsLock</c> must be called holding that lock. The timer calls the resource back
/// (<see cref="Resource.OnWindowExpired"/>), which takes the lock and calls <see cref="Expire_NeedsLock"/>.
/// </para>
/// </remarks>
internal sealed class QuotaWindow : IDisposable
{
    private readonly Resource _owner;
    private readonly TimeProvider _time;
    private readonly ConcurrencyLimiter? _requests;
    private readonly ConcurrencyLimiter? _tokens;
    private readonly int _tokenLimit;
    private readonly long _length;
    private readonly Queue<ResourceLease> _holds = new();
    private readonly ITimer _expiry;
    private bool _expiryArmed;

    private QuotaWindow(Resource owner, ResourceOptions options, TimeProvider time)
    {
        _owner = owner;
        _time = time;
        _length = (long)((Int128)options.Window.Ticks * time.TimestampFrequency / TimeSpan.TicksPerSecond);
        if (options.RequestsPerMinute is { } requests) _requests = Resource.Permits(requests);
        if (options.TokensPerMinute is { } tokens)
        {
            _tokens = Resource.Permits(tokens);
            _tokenLimit = tokens;
        }

        _expiry = time.CreateTimer(static state => ((Resource)state!).OnWindowExpired(), owner, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>True when the window counts tokens.</summary>
    public bool LimitsTokens => _tokens is not null;

    /// <summary>Calls started in the current window (under the lock).</summary>
    public int RequestsHeld { get; private set; }

    /// <summary>Tokens reserved or reported in the current window (under the lock).</summary>
    public int TokensHeld { get; private set; }

    /// <summary>Reported tokens the window had no room for yet (under the lock).</summary>
    public long Debt { get; private set; }

    /// <summary>The window of <paramref name="owner"/>'s quotas; null when it has neither a request nor a token quota.</summary>
    /// <param name="owner">The resource; the timer calls its <see cref="Resource.OnWindowExpired"/> when the oldest hold is due.</param>
    /// <param name="options">The resource's options.</param>
    /// <param name="time">The clock the window runs on.</param>
    public static QuotaWindow? For(Resource owner, ResourceOptions options, TimeProvider time) =>
        options.RequestsPerMinute is null && options.TokensPerMinute is null ? null : new QuotaWindow(owner, options, time);

    /// <summary>The tokens a call may reserve: none without a token quota, never more than the whole window.</summary>
    public int Clamp(int tokens) => _tokens is null ? 0 : Math.Clamp(tokens, 0, _tokenLimit);

    /// <summary>Takes one request and <paramref name="tokens"/> tokens, or neither.</summary>
    /// <returns>The quota that is used up, or <see cref="Quota.None"/> when both permits were taken.</returns>
    public Quota TryTake_NeedsLock(int tokens, long now, out RateLimitLease? request, out RateLimitLease? token)
    {
        if (Debt > 0) PayDebt_NeedsLock(now);
        request = null;
        token = null;
        if (_requests is not null)
        {
            var taken = _requests.AttemptAcquire(1);
            if (!taken.IsAcquired) return Quota.Requests;
            request = taken;
        }

        if (_tokens is not null)
        {
            // Zero tokens still needs a token left: a call without an estimate waits while the window is spent.
            var taken = _tokens.AttemptAcquire(tokens);
            if (!taken.IsAcquired)
            {
                request?.Dispose();
                request = null;
                return Quota.Tokens;
            }

            // A lease of zero tokens holds nothing worth keeping.
            token = tokens > 0 ? taken : null;
        }

        return Quota.None;
    }

    /// <summary>Counts a started call's permits (set on <paramref name="lease"/>) and holds them for a window from <paramref name="now"/>.</summary>
    public void Start_NeedsLock(ResourceLease lease, long now)
    {
        if (lease.RequestPermit is not null) RequestsHeld++;
        TokensHeld += lease.ReservedTokens;
        if (lease.RequestPermit is not null || lease.ReservedTokens > 0) Hold_NeedsLock(lease, now);
    }

    /// <summary>Replaces a call's counted tokens with what it reports having spent.</summary>
    /// <returns>True when the window changed (a waiting call may fit now, or fit no longer).</returns>
    public bool Report_NeedsLock(ResourceLease lease, long tokens, long now)
    {
        var delta = tokens - lease.Accounted;
        if (delta == 0) return false;
        lease.Accounted = tokens;
        if (delta < 0)
        {
            // Over-estimated: free the difference while the call still holds it (once its window
            // has passed there is nothing left to free).
            Resize_NeedsLock(lease, (int)Math.Max(0, lease.ReservedTokens + delta));
        }
        else
        {
            // Under-estimated: grow the call's hold as far as the window has room; the rest is debt.
            var grow = (int)Math.Min(delta, _tokenLimit - TokensHeld);
            if (grow > 0)
            {
                Resize_NeedsLock(lease, lease.ReservedTokens + grow);
                if (!lease.InWindow) Hold_NeedsLock(lease, now);
            }

            Debt += delta - grow;
        }

        return true;
    }

    /// <summary>Gives back the window permits of a call that never ran (refused before it was made).</summary>
    public void Return_NeedsLock(ResourceLease lease)
    {
        if (lease.RequestPermit is { } request)
        {
            request.Dispose();
            lease.RequestPermit = null;
            RequestsHeld--;
        }

        Resize_NeedsLock(lease, 0);
        lease.Accounted = 0;
    }

    /// <summary>The timer fired: gives back every hold that is due and sets the timer for the next one.</summary>
    public void Expire_NeedsLock(long now)
    {
        _expiryArmed = false;
        while (_holds.TryPeek(out var hold) && hold.Due <= now)
        {
            _holds.Dequeue();
            hold.InWindow = false;
            if (hold.RequestPermit is { } request)
            {
                request.Dispose();
                hold.RequestPermit = null;
                RequestsHeld--;
            }

            Resize_NeedsLock(hold, 0);
        }

        ArmExpiry_NeedsLock(now);
    }

    /// <summary>Stops the timer and frees the permit counters.</summary>
    public void Dispose()
    {
        _expiry.Dispose();
        _requests?.Dispose();
        _tokens?.Dispose();
    }

    /// <summary>Keeps a call's window permits until <c>now + Window</c>.</summary>
    private void Hold_NeedsLock(ResourceLease lease, long now)
    {
        lease.Due = now + _length;
        lease.InWindow = true;
        _holds.Enqueue(lease);
        ArmExpiry_NeedsLock(now);
    }

    /// <summary>Sets the timer for the oldest hold, unless it is set already (holds expire in the order they were taken).</summary>
    private void ArmExpiry_NeedsLock(long now)
    {
        if (_expiryArmed || !_holds.TryPeek(out var oldest)) return;
        _expiryArmed = true;
        _expiry.Change(_time.GetElapsedTime(now, oldest.Due), Timeout.InfiniteTimeSpan);
    }

    /// <summary>Sets the tokens a lease holds in the window (the new amount always fits: the old one is given back first).</summary>
    private void Resize_NeedsLock(ResourceLease lease, int tokens)
    {
        if (lease.ReservedTokens == tokens) return;
        lease.TokenPermit?.Dispose();
        TokensHeld -= lease.ReservedTokens;
        lease.TokenPermit = null;
        if (tokens > 0)
        {
            lease.TokenPermit = _tokens!.AttemptAcquire(tokens);
            Debug.Assert(lease.TokenPermit.IsAcquired, "the tokens just given back make room");
        }

        TokensHeld += tokens;
        lease.ReservedTokens = tokens;
    }

    /// <summary>Charges reported tokens the window had no room for, as far as it has room now.</summary>
    private void PayDebt_NeedsLock(long now)
    {
        var room = _tokenLimit - TokensHeld;
        if (room <= 0) return;
        var charge = (int)Math.Min(Debt, room);
        var hold = new ResourceLease(_owner);
        Resize_NeedsLock(hold, charge);
        Hold_NeedsLock(hold, now);
        Debt -= charge;
    }
}
