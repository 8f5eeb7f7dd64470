namespace Baton.Tests.Engine;

public sealed class ConcurrencyGateTests
{
    [Fact]
    public async Task Waiters_are_served_in_arrival_order()
    {
        var gate = new ConcurrencyGate(1);
        await gate.EnterAsync(CancellationToken.None);
        var order = new List<int>();
        var waiters = Enumerable.Range(0, 5).Select(async i =>
        {
            await gate.EnterAsync(CancellationToken.None);
            lock (order) order.Add(i);
            gate.Release();
        }).ToArray();

        gate.Release();
        await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([0, 1, 2, 3, 4], order);
        Assert.Equal(1, gate.Free);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_no_permit_behind()
    {
        var gate = new ConcurrencyGate(1);
        await gate.EnterAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(cts.Token).AsTask();
        var next = gate.EnterAsync(CancellationToken.None).AsTask();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        gate.Release();
        await next.WaitAsync(TimeSpan.FromSeconds(10));
        gate.Release();

        Assert.Equal(1, gate.Free);
    }

    [Fact]
    public async Task Never_lets_more_in_than_it_has_permits_under_contention()
    {
        const int permits = 3;
        var gate = new ConcurrencyGate(permits);
        var inside = 0;
        var peak = 0;
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 2000; i++)
            {
                await gate.EnterAsync(CancellationToken.None);
                var now = Interlocked.Increment(ref inside);
                int seen;
                while ((seen = Volatile.Read(ref peak)) < now && Interlocked.CompareExchange(ref peak, now, seen) != seen)
                {
                }

                if (i % 7 == 0) await Task.Yield();
                Interlocked.Decrement(ref inside);
                gate.Release();
            }
        })).ToArray();

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.InRange(peak, 1, permits);
        Assert.Equal(permits, gate.Free);
    }
}

public sealed class RunIdTests
{
    [Fact]
    public void Run_ids_are_unique_and_sort_by_start_time()
    {
        var early = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 10_000).Select(_ => RunIds.New(early)).ToArray();
        var later = RunIds.New(early.AddMilliseconds(1));

        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{32}$", id));
        Assert.True(string.CompareOrdinal(later, ids[^1]) > 0);
    }
}
