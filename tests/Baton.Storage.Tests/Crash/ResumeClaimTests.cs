namespace Baton.Storage.Tests.Crash;

/// <summary>
/// A resume in progress owns its run in the runtime: looking for interrupted runs meanwhile (as a restart's resume of
/// the interrupted runs does, while an event's delivery resumes a child run) must neither take the run's lease (the
/// same owner taking it again fences out the resume) nor report it as interrupted.
/// </summary>
public sealed class ResumeClaimTests
{
    [Fact]
    public async Task Looking_for_interrupted_runs_while_one_is_being_resumed_leaves_it_to_that_resume()
    {
        var store = new GatedStore(new InMemoryRunStore());
        var now = DateTimeOffset.UtcNow;
        var lease = await store.CreateRunAsync(new RunRecord { RunId = "r", Workflow = "flow", Status = RunStatus.Running, StartedAt = now, UpdatedAt = now }, "dead", TimeSpan.FromMinutes(1), [new JournalEntry { Kind = JournalEntryKind.RunStarted, Payload = "in", Timestamp = now }]);
        await store.ReleaseLeaseAsync(lease);
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store });
        var flow = SequentialBuilder.Create("flow", Agent.Create("a", (Payload input) => Payload.FromText(input.AsText() + ">a")));

        store.Arm();
        var resuming = runtime.ResumeAsync("r", flow);
        await store.Taken.WaitAsync(TimeSpan.FromSeconds(30));
        var interrupted = await runtime.FindInterruptedRunsAsync();
        store.Proceed();
        var result = await (await resuming.WaitAsync(TimeSpan.FromSeconds(30))).Completion.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(interrupted);
        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("in>a", result.Output!.AsText());
    }

    /// <summary>Holds the first lease take after <see cref="Arm"/> once it succeeded, until <see cref="Proceed"/>.</summary>
    private sealed class GatedStore(IRunStore inner) : DelegatingRunStore(inner)
    {
        private readonly TaskCompletionSource _taken = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _proceed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _armed;

        public Task Taken => _taken.Task;

        public void Arm() => Volatile.Write(ref _armed, 1);

        public void Proceed() => _proceed.TrySetResult();

        public override async ValueTask<RunLease?> TryAcquireLeaseAsync(string runId, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
        {
            var lease = await base.TryAcquireLeaseAsync(runId, owner, leaseDuration, cancellationToken);
            if (Interlocked.Exchange(ref _armed, 0) == 1)
            {
                _taken.TrySetResult();
                await _proceed.Task;
            }

            return lease;
        }
    }
}
