using Baton.Storage;

namespace Baton.Tests.Engine;

public sealed class StoreFailureTests
{
    /// <summary>Fails every append after the first <c>healthy</c> ones, as a disk that fills up would.</summary>
    private sealed class FailingStore(int healthy) : DelegatingRunStore(new InMemoryRunStore())
    {
        private int _appends;

        public override ValueTask<JournalEntry> AppendAsync(RunLease lease, JournalEntry entry, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _appends) > healthy ? throw new IOException("disk full") : base.AppendAsync(lease, entry, cancellationToken);

        // A run's first entries are written with its record: they count as appends too.
        public override ValueTask<RunLease> CreateRunAsync(RunRecord run, string owner, TimeSpan leaseDuration, IReadOnlyList<JournalEntry> initialEntries, CancellationToken cancellationToken = default) =>
            Interlocked.Add(ref _appends, initialEntries.Count) > healthy ? throw new IOException("disk full") : base.CreateRunAsync(run, owner, leaseDuration, initialEntries, cancellationToken);
    }

    [Theory]
    [InlineData(0)] // the run cannot even start
    [InlineData(2)] // a step's commit fails
    [InlineData(4)] // everything ran but the end cannot be recorded
    public async Task A_failing_store_fails_the_run_with_a_clear_error_instead_of_throwing(int healthyAppends)
    {
        await using var runtime = new BatonRuntime(new BatonOptions { Store = new FailingStore(healthyAppends) });
        var workflow = SequentialBuilder.Create("w", Agent.Identity("a"), Agent.Identity("b"), Agent.Identity("c"));

        var result = await runtime.RunAsync(workflow, "x");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("disk full", result.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(typeof(IOException).FullName, result.Error.ExceptionType);
    }
}
