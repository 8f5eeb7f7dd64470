using Baton.Storage;

namespace Baton.Storage.Tests.Conformance;

public sealed class InMemoryRunStoreTests : RunStoreConformance
{
    protected override Task<IRunStore> CreateStoreAsync() => Task.FromResult<IRunStore>(new InMemoryRunStore(Time));

    [Fact]
    public async Task An_old_finished_journal_kept_packed_reads_back_the_same_and_a_resumed_run_appends_after_it()
    {
        var store = new InMemoryRunStore(Time);
        var lease = await store.CreateRunAsync(Record("old"), "me", TimeSpan.FromMinutes(1));
        JournalEntry[] written =
        [
            new JournalEntry
            {
                Kind = JournalEntryKind.StepCompleted,
                Key = "1:step",
                StepId = "step",
                Payload = Payload.ParseJson("""{"n":[1,2.5,"x"]}"""),
                Confidence = 0.5,
                Next = "step",
                Attempts = 2,
                StateChanges = [new StateChange("notes", Payload.FromText("ünïcødé ✓"))],
                Messages = [new Message { Id = "m1", Sender = "a", Recipient = "b", Payload = Payload.FromText("hi"), RunId = "old" }],
                Received = ["m0"],
                Usage = new Usage(10, 5, 0.25m),
                StartedAt = DateTimeOffset.UnixEpoch,
                Timestamp = new DateTimeOffset(2026, 12, 2, 10, 30, 0, TimeSpan.FromHours(2)),
                Error = new StepError(ErrorKind.Transient, "rate limited", "step", Payload.FromText("partial")) { Code = "rate_limited", RetryAfter = TimeSpan.FromSeconds(3) },
            },
            new JournalEntry { Kind = JournalEntryKind.StepCompleted, Key = "2:step", Payload = Payload.Empty, Timestamp = Time.GetUtcNow() },
            new JournalEntry { Kind = JournalEntryKind.RunSucceeded, Payload = Payload.FromText("done"), Timestamp = Time.GetUtcNow() },
        ];
        foreach (var entry in written) await store.AppendAsync(lease, entry);
        await store.SetStatusAsync(lease, RunStatus.Succeeded);
        await store.ReleaseLeaseAsync(lease);
        // Newer finished runs with more entries than the store keeps as objects: the oldest journal is packed.
        for (var run = 0; run < 18; run++)
        {
            var newer = await store.CreateRunAsync(Record($"newer-{run}"), "me", TimeSpan.FromMinutes(1));
            for (var i = 0; i < 1_000; i++) await store.AppendAsync(newer, new JournalEntry { Kind = JournalEntryKind.StepCompleted, Key = $"{i + 1}:step", Timestamp = Time.GetUtcNow() });
            await store.SetStatusAsync(newer, RunStatus.Succeeded);
        }

        Assert.True(store.IsPacked("old"));
        Assert.False(store.IsPacked("newer-17"));
        var read = await store.ReadJournalAsync("old");
        var resumed = await store.TryAcquireLeaseAsync("old", "later", TimeSpan.FromMinutes(1));
        await store.AppendAsync(resumed!, new JournalEntry { Kind = JournalEntryKind.RunFailed, Timestamp = Time.GetUtcNow() });

        Assert.Equal(written.Select((e, i) => Json(e with { Sequence = i + 1 })), read.Select(Json));
        Assert.Equal([2L, 3], (await store.ReadJournalAsync("old", afterSequence: 1)).Take(2).Select(e => e.Sequence));
        Assert.Equal([1L, 2, 3, 4], (await store.ReadJournalAsync("old")).Select(e => e.Sequence));
        Assert.False(store.IsPacked("old"));
        Assert.Equal(1_000, (await store.ReadJournalAsync("newer-0")).Count);
    }

    [Fact]
    public async Task A_long_journal_is_packed_when_its_run_finishes_and_reads_back_the_same()
    {
        var store = new InMemoryRunStore(Time);
        var lease = await store.CreateRunAsync(Record("long"), "me", TimeSpan.FromMinutes(1));
        var written = Enumerable.Range(0, 2_000).Select(i => new JournalEntry { Kind = JournalEntryKind.StepCompleted, Key = $"{i + 1}:count", StepId = "count", Next = "count", Payload = Payload.From(i), Timestamp = Time.GetUtcNow() }).ToList();
        foreach (var entry in written) await store.AppendAsync(lease, entry);
        Assert.False(store.IsPacked("long"));

        await store.SetStatusAsync(lease, RunStatus.Succeeded);

        Assert.True(store.IsPacked("long"));
        Assert.Equal(written.Select((e, i) => Json(e with { Sequence = i + 1 })), (await store.ReadJournalAsync("long")).Select(Json));
    }

    private RunRecord Record(string id) => new() { RunId = id, Workflow = "flow", Status = RunStatus.Running, StartedAt = Time.GetUtcNow(), UpdatedAt = Time.GetUtcNow() };

    private static string Json(JournalEntry entry) => System.Text.Json.JsonSerializer.Serialize(entry, StoreJsonContext.Default.JournalEntry);
}
