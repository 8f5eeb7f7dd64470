namespace Baton.Orleans.Tests;

/// <summary>A worker's memory of the events it took: one delivery per id, a repeat waits for the first, a failure is forgotten.</summary>
public sealed class ReceivedEventsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_id_arriving_while_its_first_arrival_is_being_taken_waits_for_it_and_is_not_taken_again()
    {
        var received = new ReceivedEvents();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var accepted = 0;

        var first = received.AcceptOnceAsync("e1", async () => { Interlocked.Increment(ref accepted); await gate.Task; });
        var again = received.AcceptOnceAsync("e1", () => { Interlocked.Increment(ref accepted); return Task.CompletedTask; });

        Assert.False(again.IsCompleted);
        gate.SetResult();
        await Task.WhenAll(first, again).WaitAsync(Bound);
        await received.AcceptOnceAsync("e1", () => { Interlocked.Increment(ref accepted); return Task.CompletedTask; }).WaitAsync(Bound);
        Assert.Equal(1, accepted);
    }

    [Fact]
    public async Task A_failed_acceptance_fails_its_waiters_and_is_taken_afresh_next_time()
    {
        var received = new ReceivedEvents();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = received.AcceptOnceAsync("e1", async () => { await gate.Task; throw new InvalidOperationException("store down"); });
        var again = received.AcceptOnceAsync("e1", () => Task.CompletedTask);

        gate.SetResult();
        Assert.Equal("store down", (await Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitAsync(Bound))).Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => again.WaitAsync(Bound));
        var retried = false;
        await received.AcceptOnceAsync("e1", () => { retried = true; return Task.CompletedTask; }).WaitAsync(Bound);
        Assert.True(retried);
    }
}
