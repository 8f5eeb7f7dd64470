namespace Baton.Orleans.Tests;

/// <summary>A resource's quotas hold for the whole cluster: calls on two workers together never exceed them.</summary>
public sealed class ClusterQuotaTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>Counts the calls in flight on every worker of the test process, and the most seen at once.</summary>
    private sealed class Gauge
    {
        private int _inFlight;
        private int _most;
        public readonly SemaphoreSlim Entered = new(0);
        public readonly SemaphoreSlim Go = new(0);
        public int Most => Volatile.Read(ref _most);

        public async ValueTask<AgentResult> CallAsync(Payload input)
        {
            var now = Interlocked.Increment(ref _inFlight);
            for (var most = Most; now > most && Interlocked.CompareExchange(ref _most, now, most) != most; most = Most)
            {
            }

            Entered.Release();
            await Go.WaitAsync(Bound);
            Interlocked.Decrement(ref _inFlight);
            return AgentResult.Success(input);
        }
    }

    private static Workflow Calling(Gauge gauge) =>
        new SequentialBuilder("quota-" + Guid.NewGuid().ToString("N")[..8])
            .Then(Agent.Create("call", (input, _, _) => gauge.CallAsync(input)), resource: "api")
            .Build();

    private static async Task WaitUntilAsync(IQuotaGrain quota, Func<QuotaUse, bool> condition)
    {
        using var deadline = new CancellationTokenSource(Bound);
        // The grain is the quota's one owner: its counts say when every other call is held back by it.
        while (!condition(await quota.GetUseAsync())) await Task.Delay(20, deadline.Token);
    }

    [Fact]
    public async Task Concurrency_one_holds_across_two_workers()
    {
        var gauge = new Gauge();
        var workflow = Calling(gauge);
        await using var cluster = await TestCluster.StartAsync([workflow], resources: new Dictionary<string, ResourceOptions> { ["api"] = new() { MaxConcurrency = 1 } });
        var quota = cluster.Cluster.Client.GetGrain<IQuotaGrain>("api");

        // Three runs on each worker, each started by that worker's own runtime: only the quota grain orders them.
        var runs = Enumerable.Range(0, 6).Select(i => cluster.RuntimeOf(i % 2).RunAsync(workflow, $"call {i}")).ToArray();
        for (var i = 0; i < 6; i++)
        {
            await gauge.Entered.WaitAsync(Bound);
            // Every call not yet done waits for the one permit (each worker's own limit of 1 would let two in).
            await WaitUntilAsync(quota, u => u.InFlight == 1 && u.Waiting == 5 - i);
            Assert.Equal(1, gauge.Most);
            gauge.Go.Release();
        }

        var results = await Task.WhenAll(runs).WaitAsync(Bound);
        Assert.All(results, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        Assert.Equal(1, gauge.Most);
        await WaitUntilAsync(quota, u => u.InFlight == 0);
    }

    [Fact]
    public async Task Requests_per_window_hold_across_two_workers()
    {
        var gauge = new Gauge();
        var workflow = Calling(gauge);
        // Two calls per (long) window for the whole cluster; each worker alone would allow two.
        await using var cluster = await TestCluster.StartAsync([workflow], resources: new Dictionary<string, ResourceOptions>
        {
            ["api"] = new() { RequestsPerMinute = 2, Window = TimeSpan.FromHours(1), MaxWait = TimeSpan.FromHours(1) },
        });
        var quota = cluster.Cluster.Client.GetGrain<IQuotaGrain>("api");
        gauge.Go.Release(4);

        var runs = Enumerable.Range(0, 4).Select(i => cluster.RuntimeOf(i % 2).RunAsync(workflow, $"call {i}")).ToArray();
        await gauge.Entered.WaitAsync(Bound);
        await gauge.Entered.WaitAsync(Bound);
        // The window is full: the two other calls wait in the grain, none has started.
        await WaitUntilAsync(quota, u => u.RequestsInWindow == 2 && u.Waiting == 2 && u.InFlight == 0);
        Assert.Equal(0, gauge.Entered.CurrentCount);
        Assert.True(runs.Count(r => !r.IsCompleted) >= 2);
    }
}
