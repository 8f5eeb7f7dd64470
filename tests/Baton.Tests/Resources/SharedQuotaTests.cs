namespace Baton.Tests.Resources;

/// <summary>A registry's shared quota (a cluster's): every call of a limited resource takes its permit first and gives it back.</summary>
public sealed class SharedQuotaTests
{
    private sealed class CountingQuota : ISharedQuota
    {
        public int Taken;
        public int Returned;
        public readonly List<(string Resource, int Tokens)> Requests = [];

        public ValueTask<IAsyncDisposable> AcquireAsync(Resource resource, int tokens, CancellationToken cancellationToken)
        {
            lock (Requests) Requests.Add((resource.Name, tokens));
            Interlocked.Increment(ref Taken);
            return ValueTask.FromResult<IAsyncDisposable>(new Permit(this));
        }

        private sealed class Permit(CountingQuota quota) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                Interlocked.Increment(ref quota.Returned);
                return ValueTask.CompletedTask;
            }
        }
    }

    [Fact]
    public async Task A_limited_resource_takes_and_returns_a_shared_permit_per_call_even_when_the_call_fails()
    {
        await using var runtime = new BatonRuntime(new BatonOptions
        {
            Resources = new Dictionary<string, ResourceOptions>
            {
                ["api"] = new() { MaxConcurrency = 2, EstimatedTokensPerCall = 7, TokensPerMinute = 100 },
                ["free"] = new(),
            },
        });
        var quota = new CountingQuota();
        runtime.Resources.SharedQuota = quota;

        Assert.Equal(1, await runtime.Resources["api"].ExecuteAsync((_, _) => ValueTask.FromResult(1)));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await runtime.Resources["api"].ExecuteAsync<int>((_, _) => throw new InvalidOperationException("boom")));
        // A resource without quotas has nothing to share: no permit is asked for.
        Assert.Equal(2, await runtime.Resources["free"].ExecuteAsync((_, _) => ValueTask.FromResult(2)));

        Assert.Equal(2, quota.Taken);
        Assert.Equal(2, quota.Returned);
        Assert.All(quota.Requests, r => Assert.Equal(("api", 7), r));
    }
}
