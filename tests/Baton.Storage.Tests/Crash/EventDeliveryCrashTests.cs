using System.Collections.Concurrent;
using Baton.Storage.Postgres;
using Baton.Storage.Sqlite;
using Baton.Storage.Tests.Conformance;
using Npgsql;

namespace Baton.Storage.Tests.Crash;

/// <summary>Where the publishing process dies, between the step's commit and its outbox marked published.</summary>
public enum EventCrashPoint
{
    /// <summary>The step committed; no child run stored yet.</summary>
    AfterStepCommitted,

    /// <summary>The first child run stored, the others not.</summary>
    AfterFirstChildStored,

    /// <summary>Every child run stored and queued (their agents in flight), the outbox not marked published.</summary>
    AfterChildrenQueued,

    /// <summary>The outbox marked published, the child runs in flight.</summary>
    AfterMarkedPublished,
}

/// <summary>
/// An event-started child run is neither lost nor doubled whatever point a crash hits: a step publishes two events to
/// two workflow subscribers, the process dies (its store refuses every later call, as a killed process writes nothing)
/// at each point between the commit and the outbox marked published, and a new runtime on the same store resumes the
/// interrupted runs. Exactly one child run per event and subscriber must exist, each succeeded, under the id derived
/// from the event and the subscriber. Each store kind derives from this class.
/// </summary>
public abstract class EventDeliveryCrashTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>A new, empty store over data that outlives the runtimes made on it.</summary>
    protected abstract Task<IRunStore> CreateStoreAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [StoreFact]
    public Task A_crash_after_the_step_committed_loses_no_child_run() => CrashAndResumeAsync(EventCrashPoint.AfterStepCommitted);

    [StoreFact]
    public Task A_crash_after_the_first_child_run_was_stored_loses_none_and_doubles_none() => CrashAndResumeAsync(EventCrashPoint.AfterFirstChildStored);

    [StoreFact]
    public Task A_crash_after_the_events_were_queued_but_before_the_outbox_was_marked_doubles_no_child_run() => CrashAndResumeAsync(EventCrashPoint.AfterChildrenQueued);

    [StoreFact]
    public Task A_crash_after_the_outbox_was_marked_published_loses_no_child_run() => CrashAndResumeAsync(EventCrashPoint.AfterMarkedPublished);

    private async Task CrashAndResumeAsync(EventCrashPoint point)
    {
        var store = await CreateStoreAsync();
        try
        {
            var mortal = new MortalStore(store, point);
            var executions = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var parentId = "parent-" + point;

            // The first process: child agents wait for a gate that never opens, so the death finds them in flight.
            var (first, order) = Runtime(mortal, executions, gate.Task);
            var publisher = first.Start(order, "cart", new RunOptions { RunId = parentId });
            await mortal.Died.WaitAsync(Bound);
            await first.DisposeAsync().AsTask().WaitAsync(Bound);
            await publisher.Completion.WaitAsync(Bound);

            // The dead process's leases: taken from it at once, as a restart on the same machine does for a gone process.
            foreach (var run in await store.ListRunsAsync(new RunQuery { Status = RunStatus.Running }))
            {
                if (run.LeaseOwner is not { } owner) continue;
                var lease = await store.StealLeaseAsync(run.RunId, owner, "crash-simulator", TimeSpan.FromMinutes(1));
                if (lease is not null) await store.ReleaseLeaseAsync(lease);
            }

            // The second process: resumes every interrupted run until none is left running.
            var (second, _) = Runtime(store, executions, Task.CompletedTask);
            await using var secondLifetime = second;
            for (var round = 0; ; round++)
            {
                Assert.True(round < 10, "runs still running after 10 rounds of resuming");
                foreach (var handle in await second.ResumeInterruptedRunsAsync()) await handle.Completion.WaitAsync(Bound);
                await second.Events.WhenIdleAsync().WaitAsync(Bound);
                if ((await store.ListRunsAsync(new RunQuery { Status = RunStatus.Running })).Count == 0) break;
            }

            Assert.Equal(RunStatus.Succeeded, (await store.GetRunAsync(parentId))!.Status);
            var journal = await store.ReadJournalAsync(parentId);
            var events = journal.Where(e => e.Kind == JournalEntryKind.StepCompleted).SelectMany(e => e.Messages ?? []).Where(m => m.Topic is not null).ToArray();
            Assert.Equal(2, events.Length);
            Assert.Single(journal, e => e.Kind == JournalEntryKind.EventsPublished);

            var children = (await store.ListRunsAsync()).Where(r => r.ParentRunId == parentId).ToArray();
            var expected = events.SelectMany(e => new[] { ChildRunIds.For(e.Id, "ship", "orders.*"), ChildRunIds.For(e.Id, "bill", "orders.*") }).Order(StringComparer.Ordinal);
            Assert.Equal(expected, children.Select(c => c.RunId).Order(StringComparer.Ordinal));
            Assert.All(children, c => Assert.Equal(RunStatus.Succeeded, c.Status));

            // Each child run's step ran in the second process once (its first attempt, if any, was cut by the crash).
            Assert.Equal(4, executions.Count);
            Assert.All(executions, e => Assert.InRange(e.Value, 1, 2));
        }
        finally
        {
            if (store is IAsyncDisposable disposable) await disposable.DisposeAsync();
        }
    }

    private static (BatonRuntime Runtime, Workflow Order) Runtime(IRunStore store, ConcurrentDictionary<string, int> executions, Task gate)
    {
        var runtime = new BatonRuntime(new BatonOptions { Store = store, ShutdownTimeout = TimeSpan.FromSeconds(30) });
        var publish = Agent.Create("publish", (input, context) =>
        {
            context.Publish("orders.placed", "order-1");
            context.Publish("orders.placed", "order-2");
            return AgentResult.Success(input);
        });
        var order = SequentialBuilder.Create("order", publish, Agent.Identity("done"));
        runtime.Register(order);
        foreach (var subscriber in new[] { "ship", "bill" })
        {
            var work = Agent.Create(subscriber, async (input, context, ct) =>
            {
                executions.AddOrUpdate(context.RunId, 1, (_, n) => n + 1);
                await gate.WaitAsync(ct);
                return AgentResult.Success(input);
            });
            var child = SequentialBuilder.Create(subscriber, work);
            runtime.Register(child);
            runtime.Events.Subscribe("orders.*", child);
        }

        return (runtime, order);
    }

    /// <summary>A store whose process dies at a crash point: from then on every call fails and nothing more is written.</summary>
    private sealed class MortalStore(IRunStore inner, EventCrashPoint point) : DelegatingRunStore(inner)
    {
        private readonly TaskCompletionSource _died = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _childrenStored;

        public Task Died => _died.Task;

        public override async ValueTask<RunLease> CreateRunAsync(RunRecord run, string owner, TimeSpan leaseDuration, IReadOnlyList<JournalEntry> initialEntries, CancellationToken cancellationToken = default)
        {
            Alive();
            if (run.ParentRunId is not null && point == EventCrashPoint.AfterStepCommitted) Die();
            var lease = await base.CreateRunAsync(run, owner, leaseDuration, initialEntries, cancellationToken);
            if (run.ParentRunId is not null && Interlocked.Increment(ref _childrenStored) == 1 && point == EventCrashPoint.AfterFirstChildStored) Die();
            return lease;
        }

        public override async ValueTask<JournalEntry> AppendAsync(RunLease lease, JournalEntry entry, CancellationToken cancellationToken = default)
        {
            Alive();
            if (entry.Kind == JournalEntryKind.EventsPublished && point == EventCrashPoint.AfterChildrenQueued) Die();
            var appended = await base.AppendAsync(lease, entry, cancellationToken);
            if (entry.Kind == JournalEntryKind.EventsPublished && point == EventCrashPoint.AfterMarkedPublished) Die();
            return appended;
        }

        public override ValueTask<RunLease?> TryAcquireLeaseAsync(string runId, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
        {
            Alive();
            return base.TryAcquireLeaseAsync(runId, owner, leaseDuration, cancellationToken);
        }

        public override ValueTask<bool> RenewLeaseAsync(RunLease lease, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
        {
            Alive();
            return base.RenewLeaseAsync(lease, leaseDuration, cancellationToken);
        }

        public override ValueTask ReleaseLeaseAsync(RunLease lease, CancellationToken cancellationToken = default)
        {
            Alive();
            return base.ReleaseLeaseAsync(lease, cancellationToken);
        }

        public override ValueTask SetStatusAsync(RunLease lease, RunStatus status, CancellationToken cancellationToken = default)
        {
            Alive();
            return base.SetStatusAsync(lease, status, cancellationToken);
        }

        public override ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
        {
            Alive();
            return base.GetRunAsync(runId, cancellationToken);
        }

        public override ValueTask<IReadOnlyList<JournalEntry>> ReadJournalAsync(string runId, long afterSequence = 0, CancellationToken cancellationToken = default)
        {
            Alive();
            return base.ReadJournalAsync(runId, afterSequence, cancellationToken);
        }

        private void Alive()
        {
            if (_died.Task.IsCompleted) throw new IOException("the process died");
        }

        private void Die()
        {
            _died.TrySetResult();
            throw new IOException("the process died");
        }
    }
}

public sealed class InMemoryEventDeliveryCrashTests : EventDeliveryCrashTests
{
    protected override Task<IRunStore> CreateStoreAsync() => Task.FromResult<IRunStore>(new InMemoryRunStore());
}

public sealed class SqliteEventDeliveryCrashTests : EventDeliveryCrashTests
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("baton-event-crash-");

    protected override Task<IRunStore> CreateStoreAsync() =>
        Task.FromResult<IRunStore>(new SqliteRunStore(new SqliteRunStoreOptions { Path = Path.Combine(_dir.FullName, $"{Guid.NewGuid():N}.db") }));

    public override Task DisposeAsync()
    {
        try { _dir.Delete(recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}

[RequiresPostgres]
public sealed class PostgresEventDeliveryCrashTests : EventDeliveryCrashTests
{
    private readonly string _schema = "baton_test_" + Guid.NewGuid().ToString("N")[..12];

    protected override async Task<IRunStore> CreateStoreAsync() =>
        await PostgresRunStore.OpenAsync(new PostgresRunStoreOptions { ConnectionString = PostgresServer.ConnectionString, Schema = _schema });

    public override async Task DisposeAsync()
    {
        if (PostgresServer.SkipReason is not null) return;
        await using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
