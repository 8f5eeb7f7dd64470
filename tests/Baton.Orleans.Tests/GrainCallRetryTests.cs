using Baton.Orleans;
using Orleans.Runtime;

namespace Baton.Orleans.Tests;

/// <summary>Calls to a worker that is dying are retried until the cluster settles; other failures are not.</summary>
public sealed class GrainCallRetryTests
{
    [Fact]
    public async Task A_call_rejected_while_a_worker_is_declared_dead_is_made_again()
    {
        var calls = 0;

        var result = await GrainCallRetry.RunAsync(() =>
        {
            // Its constructors are Orleans' own: made the way the runtime deserializes one.
            if (++calls < 3) throw (OrleansMessageRejectionException)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(typeof(OrleansMessageRejectionException));
            return Task.FromResult("answered");
        }, TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);

        Assert.Equal("answered", result);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task A_call_that_failed_for_its_own_reasons_is_not_retried()
    {
        var calls = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(() => GrainCallRetry.RunAsync<string>(() =>
        {
            calls++;
            throw new InvalidOperationException("no such workflow");
        }, TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Retrying_stops_at_its_deadline_with_the_last_failure()
    {
        var time = new FakeTime();
        var calls = 0;

        var retrying = GrainCallRetry.RunAsync<string>(() =>
        {
            calls++;
            throw new SiloUnavailableException("gone");
        }, TimeSpan.FromSeconds(2), time, CancellationToken.None);

        // One backoff at a time (50 ms, doubling to 1 s): each passes once armed, until the 2 s deadline stops the retries.
        using (var done = new CancellationTokenSource())
        {
            while (!retrying.IsCompleted)
            {
                var advanced = time.AdvanceToTimerAsync(TimeSpan.FromSeconds(1), cancellationToken: done.Token);
                if (await Task.WhenAny(retrying, advanced) == advanced) await advanced;
            }

            await done.CancelAsync();
        }

        await Assert.ThrowsAsync<SiloUnavailableException>(() => retrying.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(calls > 1);
        Assert.True(time.GetUtcNow() - time.Start >= TimeSpan.FromSeconds(2), $"gave up after {time.GetUtcNow() - time.Start}");
    }
}
