using Orleans.Runtime;

namespace Baton.Orleans;

/// <summary>
/// Keeps one resource's cluster-wide quota in memory: the permits in flight (each with its holder, so a dead worker's
/// permits are freed as soon as the cluster declares it dead) and the calls started and tokens reserved in the rolling
/// window. Calls interleave, but a grain runs one turn at a time, so its counts need no lock.
/// </summary>
internal sealed class QuotaGrain(IClusterMembershipService membership, TimeProvider? timeProvider = null) : Grain, IQuotaGrain
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Dictionary<Guid, string> _inFlight = [];
    private readonly Queue<(DateTimeOffset At, int Tokens)> _window = new();
    private TaskCompletionSource _freed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiting;

    public async Task<QuotaGrant> AcquireAsync(QuotaRequest request, TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(request);
        var deadline = _time.GetUtcNow() + wait;
        _waiting++;
        try
        {
            while (true)
            {
                var now = _time.GetUtcNow();
                FreeDeadHolders();
                Expire(now, request.Window);
                var retryAfter = TryGrant(request, now, out var permit);
                if (permit is { } granted) return new QuotaGrant { Permit = granted };
                var left = deadline - now;
                if (left <= TimeSpan.Zero) return new QuotaGrant();
                // Woken when a permit is given back, when the oldest call leaves the window, or at the end of this wait.
                var nap = retryAfter is { } after && after < left ? after : left;
                await Task.WhenAny(_freed.Task, Task.Delay(nap, _time)).ConfigureAwait(true);
            }
        }
        finally
        {
            _waiting--;
        }
    }

    public Task ReleaseAsync(Guid permit)
    {
        if (_inFlight.Remove(permit)) Wake();
        return Task.CompletedTask;
    }

    public Task<QuotaUse> GetUseAsync()
    {
        return Task.FromResult(new QuotaUse { InFlight = _inFlight.Count, Waiting = _waiting, RequestsInWindow = _window.Count });
    }

    /// <summary>Grants a permit when every limit has room; else returns how long until the window frees room (null: until a permit is given back).</summary>
    private TimeSpan? TryGrant(QuotaRequest request, DateTimeOffset now, out Guid? permit)
    {
        permit = null;
        if (request.MaxConcurrency is { } concurrency && _inFlight.Count >= concurrency) return null;
        var windowFull = (request.RequestsPerWindow is { } requests && _window.Count >= requests)
            || (request.TokensPerWindow is { } tokens && _window.Count > 0 && _window.Sum(w => w.Tokens) + request.Tokens > tokens);
        if (windowFull) return _window.Peek().At + request.Window - now;
        var id = Guid.NewGuid();
        _inFlight[id] = request.Holder;
        if (request.RequestsPerWindow is not null || request.TokensPerWindow is not null) _window.Enqueue((now, request.Tokens));
        permit = id;
        return null;
    }

    /// <summary>Calls started a window ago or more no longer count.</summary>
    private void Expire(DateTimeOffset now, TimeSpan window)
    {
        while (_window.TryPeek(out var oldest) && oldest.At + window <= now) _window.Dequeue();
    }

    /// <summary>A worker the cluster declared dead will never give its permits back: free them.</summary>
    private void FreeDeadHolders()
    {
        var snapshot = membership.CurrentSnapshot;
        var dead = _inFlight.Where(p => WorkerOwner.TryParse(p.Value, out var silo) && snapshot.GetSiloStatus(silo) == SiloStatus.Dead).Select(p => p.Key).ToArray();
        foreach (var permit in dead) _inFlight.Remove(permit);
    }

    private void Wake()
    {
        var freed = _freed;
        _freed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        freed.TrySetResult();
    }
}
