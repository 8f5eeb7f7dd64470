using Baton.Storage;

namespace Baton.Tests.Engine;

public sealed class StoreFailureTests
{
    /// <summary>Fails every append after the first <c>healthy</c> ones, as a disk that fills up would.</summary>
    private sealed class FailingStore(int healthy) : IRunStore
    {
        private readonly InMemoryRunStore _inner = new();
        private int _appends;

        public ValueTask CreateRunAsync(RunRecord run, CancellationToken cancellationToken = default) => _inner.CreateRunAsync(run, cancellationToken);

        public ValueTask<JournalEntry> AppendAsync(string runId, JournalEntry entry, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _appends) > healthy ? throw new IOException("disk full") : _inner.AppendAsync(runId, entry, cancellationToken);

        public ValueTask<IReadOnlyList<JournalEntry>> ReadJournalAsync(string runId, CancellationToken cancellationToken = default) => _inner.ReadJournalAsync(runId, cancellationToken);

        public ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default) => _inner.GetRunAsync(runId, cancellationToken);

        public ValueTask SetStatusAsync(string runId, RunStatus status, CancellationToken cancellationToken = default) => _inner.SetStatusAsync(runId, status, cancellationToken);

        public ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunStatus? status = null, CancellationToken cancellationToken = default) => _inner.ListRunsAsync(status, cancellationToken);
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
