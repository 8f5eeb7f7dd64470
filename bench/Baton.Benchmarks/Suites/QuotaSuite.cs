using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using Baton.Benchmarks.Shapes;

namespace Baton.Benchmarks.Suites;

/// <summary>
/// The quota path with the quota never exhausted: what one permit costs through a Baton
/// <see cref="Resource"/>, beside the bare System.Threading.RateLimiting limiter it counts permits
/// with (<see cref="ConcurrencyLimiter"/>) and the built-in sliding window a user would otherwise reach for.
/// </summary>
/// <remarks>
/// <para>
/// Each Baton row is one <c>resource.ExecuteAsync</c> of a call that returns at once: take the
/// permits, call, release. Windowed quotas hold a call's permits for the window (one minute), so
/// the resources run on a <see cref="ManualClock"/> that the benchmark moves a minute on after
/// every 64 permits: each permit expires, on the benchmark thread, and its expiry is in the
/// figures. (On the system clock, millions of calls a second would keep millions of permits in
/// the window and the figures would measure the garbage collector.) Limits are far above what a
/// benchmark reaches.
/// </para>
/// <para>Not sealed: BenchmarkDotNet's generated runner derives from it.</para>
/// </remarks>
[MemoryDiagnoser]
public class QuotaSuite
{
    private const int Plenty = 1_000_000_000;
    private const int PermitsPerMinute = 64;
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly Func<ResourceLease, CancellationToken, ValueTask<int>> Call = static (_, _) => ValueTask.FromResult(1);

    private readonly ManualClock _clock = new();
    private int _permits;
    private ConcurrencyLimiter _bare = null!;
    private SlidingWindowRateLimiter _bareWindow = null!;
    private Resource _free = null!;
    private Resource _concurrency = null!;
    private Resource _requests = null!;
    private Resource _all = null!;
    private Resource _allAndCircuit = null!;
    private BatonRuntime _runtime = null!;
    private Workflow _chain = null!;
    private Workflow _chainOnResource = null!;
    private readonly Payload _input = Payload.FromText(Workload.Input);

    /// <summary>Builds the limiters, resources and workflows, and checks one call of each.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _bare = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = Plenty, QueueLimit = 0 });
        _bareWindow = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions { PermitLimit = Plenty, Window = Minute, SegmentsPerWindow = 6, QueueLimit = 0, AutoReplenishment = true });
        _free = new Resource("free", new ResourceOptions(), _clock);
        _concurrency = new Resource("concurrency", new ResourceOptions { MaxConcurrency = Plenty }, _clock);
        _requests = new Resource("requests", new ResourceOptions { RequestsPerMinute = Plenty }, _clock);
        var all = new ResourceOptions { RequestsPerMinute = Plenty, TokensPerMinute = Plenty, MaxConcurrency = Plenty, EstimatedTokensPerCall = 100 };
        _all = new Resource("all", all, _clock);
        _allAndCircuit = new Resource("all+circuit", all with { CircuitBreaker = new CircuitBreakerOptions() }, _clock);

        // No run deadline: the chains start no timer, so the manual clock holds only the resource's.
        _runtime = new BatonRuntime(new BatonOptions
        {
            Store = new Storage.InMemoryRunStore(maxFinishedRuns: 64),
            TimeProvider = _clock,
            Limits = RunLimits.Default with { Timeout = null },
        });
        _runtime.Resources.Add("openai", all);
        _chain = SequentialBuilder.Create("chain-10", BatonShapes.NoOps("step", 10));
        var onResource = new SequentialBuilder("chain-10-on-resource");
        foreach (var agent in BatonShapes.NoOps("step", 10)) onResource.Then(agent, resource: "openai");
        _chainOnResource = onResource.Build();

        Suite.Check(async () =>
        {
            Suite.Expect(BareConcurrencyLimiter() == 1, "bare limiter");
            Suite.Expect(BareSlidingWindow() == 1, "bare sliding window");
            foreach (var resource in new[] { _free, _concurrency, _requests, _all, _allAndCircuit })
            {
                Suite.Expect(await resource.ExecuteAsync(Call) == 1, resource.Name);
            }

            await BatonShapes.RunCheckedAsync(_runtime, _chain, _input, o => o.AsText() == Workload.Input);
            await BatonShapes.RunCheckedAsync(_runtime, _chainOnResource, _input, o => o.AsText() == Workload.Input);
        });
    }

    /// <summary>Disposes the limiters, resources and runtime.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _bare.Dispose();
        _bareWindow.Dispose();
        foreach (var resource in new[] { _free, _concurrency, _requests, _all, _allAndCircuit }) resource.Dispose();
        _runtime.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The floor: one permit from the limiter type Baton counts with, and back.</summary>
    [Benchmark(Baseline = true, Description = "bare ConcurrencyLimiter acquire + release")]
    public int BareConcurrencyLimiter()
    {
        using var lease = _bare.AttemptAcquire();
        return lease.IsAcquired ? 1 : 0;
    }

    /// <summary>The built-in window a user would take for requests per minute (its timer replenishes it).</summary>
    [Benchmark(Description = "bare SlidingWindowRateLimiter acquire")]
    public int BareSlidingWindow()
    {
        using var lease = _bareWindow.AttemptAcquire();
        return lease.IsAcquired ? 1 : 0;
    }

    /// <summary>A resource with no quota: the lease and the call, nothing counted.</summary>
    [Benchmark(Description = "Baton resource, no quota")]
    public ValueTask<int> NoQuota() => Tick(1)._free.ExecuteAsync(Call);

    /// <summary>Calls in flight only: one ConcurrencyLimiter permit, taken and given back.</summary>
    [Benchmark(Description = "Baton resource, max concurrency")]
    public ValueTask<int> Concurrency() => Tick(1)._concurrency.ExecuteAsync(Call);

    /// <summary>Requests per window: a permit held for the window and handed back by the resource's timer.</summary>
    [Benchmark(Description = "Baton resource, requests per window")]
    public ValueTask<int> Requests() => Tick(1)._requests.ExecuteAsync(Call);

    /// <summary>Requests, tokens (100 estimated per call) and concurrency.</summary>
    [Benchmark(Description = "Baton resource, requests + tokens + concurrency")]
    public ValueTask<int> AllQuotas() => Tick(1)._all.ExecuteAsync(Call);

    /// <summary>All three quotas and a closed Polly circuit breaker.</summary>
    [Benchmark(Description = "Baton resource, all quotas + circuit breaker")]
    public ValueTask<int> AllQuotasAndCircuit() => Tick(1)._allAndCircuit.ExecuteAsync(Call);

    /// <summary>A 10-step chain of no-op agents, no resource: the engine alone.</summary>
    [Benchmark(Description = "Baton chain of 10 steps")]
    public Task<RunResult> Chain() => Tick(10)._runtime.RunAsync(_chain, _input);

    /// <summary>The same chain with every step on a resource with all three quotas: the engine hook's cost, per run of 10 permits.</summary>
    [Benchmark(Description = "Baton chain of 10 steps, each on a resource")]
    public Task<RunResult> ChainOnResource() => Tick(10)._runtime.RunAsync(_chainOnResource, _input);

    /// <summary>Counts the permits about to be taken, and moves the clock a minute on after every 64, expiring them.</summary>
    private QuotaSuite Tick(int permits)
    {
        _permits += permits;
        if (_permits >= PermitsPerMinute)
        {
            _permits = 0;
            _clock.Advance(Minute);
        }

        return this;
    }
}
