using Baton.Storage;

namespace Baton.Storage.Tests.Conformance;

/// <summary>
/// What every run store must do, whatever it is built on: each store's test class derives from this one.
/// Stores are made with a clock the test controls, where the store lets it (lease expiry).
/// </summary>
public abstract class RunStoreConformance : IAsyncLifetime
{
    private readonly List<IRunStore> _stores = [];

    protected FakeTime Time { get; } = new();

    /// <summary>A new, empty store on <see cref="Time"/>.</summary>
    protected abstract Task<IRunStore> CreateStoreAsync();

    /// <summary>Another store over the same data (another process), when the store is durable; null otherwise.</summary>
    protected virtual Task<IRunStore?> ReopenAsync(IRunStore store) => Task.FromResult<IRunStore?>(null);

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores) if (store is IAsyncDisposable disposable) await disposable.DisposeAsync();
    }

    private async Task<IRunStore> StoreAsync()
    {
        var store = await CreateStoreAsync();
        _stores.Add(store);
        return store;
    }

    protected void Track(IRunStore store) => _stores.Add(store);

    private RunRecord Run(string id, string workflow = "flow", RunStatus status = RunStatus.Running, string? parent = null, int minute = 0) => new()
    {
        RunId = id, Workflow = workflow, Status = status, StartedAt = Time.GetUtcNow().AddMinutes(minute), UpdatedAt = Time.GetUtcNow().AddMinutes(minute), ParentRunId = parent, Source = "/flows/" + workflow + ".yaml",
    };

    private static JournalEntry Step(int n, Payload? payload = null) => new()
    {
        Kind = JournalEntryKind.StepCompleted,
        Key = $"{n}:step",
        StepId = "step",
        Payload = payload ?? Payload.FromText($"output {n}"),
        Confidence = 0.5,
        Next = "step",
        Attempts = 2,
        StateChanges = [new StateChange("notes", Payload.ParseJson($$"""{"n":{{n}}}"""))],
        Messages = [new Message { Id = $"m{n}", Sender = "a", Recipient = "b", Payload = Payload.FromText("hi"), RunId = "r" }],
        Received = ["m0"],
        Usage = new Usage(10, 5, 0.25m),
        StartedAt = DateTimeOffset.UnixEpoch.AddSeconds(n),
        Timestamp = DateTimeOffset.UnixEpoch.AddSeconds(n + 1),
    };

    [StoreFact]
    public async Task Entries_are_numbered_in_append_order_and_read_back_whole()
    {
        var store = await StoreAsync();
        var lease = await store.CreateRunAsync(Run("r1"), "me", TimeSpan.FromMinutes(1));
        var appended = new List<JournalEntry>();
        for (var i = 1; i <= 5; i++) appended.Add(await store.AppendAsync(lease, Step(i)));

        var journal = await store.ReadJournalAsync("r1");

        Assert.Equal([1L, 2, 3, 4, 5], appended.Select(e => e.Sequence));
        Assert.Equal([1L, 2, 3, 4, 5], journal.Select(e => e.Sequence));
        var third = journal[2];
        var expected = Step(3);
        Assert.Equal((expected.Kind, expected.Key, expected.StepId, expected.Payload, expected.Confidence, expected.Next, expected.Attempts, expected.Usage, expected.StartedAt, expected.Timestamp),
            (third.Kind, third.Key, third.StepId, third.Payload, third.Confidence, third.Next, third.Attempts, third.Usage, third.StartedAt, third.Timestamp));
        Assert.Equal("""{"n":3}""", Assert.Single(third.StateChanges!).Value.ToString());
        Assert.Equal(("m3", "b", "hi"), (third.Messages![0].Id, third.Messages[0].Recipient, third.Messages[0].Payload.AsText()));
        Assert.Equal(["m0"], third.Received);
        Assert.Equal([4L, 5], (await store.ReadJournalAsync("r1", afterSequence: 3)).Select(e => e.Sequence));
    }

    [StoreFact]
    public async Task Every_entry_kind_and_an_error_round_trip()
    {
        var store = await StoreAsync();
        var lease = await store.CreateRunAsync(Run("kinds"), "me", TimeSpan.FromMinutes(1));
        var error = new StepError(ErrorKind.Transient, "rate limited", "step", Payload.FromText("partial")) { Code = "rate_limited", RetryAfter = TimeSpan.FromSeconds(3), ExceptionType = "System.IO.IOException" };
        foreach (var kind in Enum.GetValues<JournalEntryKind>())
        {
            await store.AppendAsync(lease, new JournalEntry { Kind = kind, Key = "1:step", Error = kind == JournalEntryKind.StepFailed ? error : null, Timestamp = Time.GetUtcNow() });
        }

        var journal = await store.ReadJournalAsync("kinds");

        Assert.Equal(Enum.GetValues<JournalEntryKind>(), journal.Select(e => e.Kind));
        var failed = journal.Single(e => e.Kind == JournalEntryKind.StepFailed).Error!;
        Assert.Equal((error.Kind, error.Message, error.StepId, error.Code, error.RetryAfter, error.ExceptionType, "partial"),
            (failed.Kind, failed.Message, failed.StepId, failed.Code, failed.RetryAfter, failed.ExceptionType, failed.Partial!.AsText()));
        Assert.Null(failed.Exception);
    }

    [StoreFact]
    public async Task Payloads_round_trip_exactly()
    {
        var store = await StoreAsync();
        var lease = await store.CreateRunAsync(Run("p"), "me", TimeSpan.FromMinutes(1));
        Payload[] payloads =
        [
            Payload.FromText("plain text"),
            Payload.FromText("unicode: ünïcødé ✓ 漢字 🚀"),
            Payload.ParseJson("""{"nested":{"list":[1,2.5,true,null,"x"]}}"""),
            Payload.ParseJson("[]"),
            Payload.Empty,
        ];
        foreach (var payload in payloads) await store.AppendAsync(lease, Step(1, payload));
        Assert.Equal(payloads, (await store.ReadJournalAsync("p")).Select(e => e.Payload));
    }

    [StoreFact]
    public async Task A_finished_runs_journal_reads_back_the_same_and_a_resumed_run_appends_after_it()
    {
        var store = await StoreAsync();
        var lease = await store.CreateRunAsync(Run("done"), "me", TimeSpan.FromMinutes(1));
        var error = new StepError(ErrorKind.Transient, "rate limited", "step", Payload.ParseJson("""{"got":[1,2]}""")) { Code = "rate_limited", RetryAfter = TimeSpan.FromSeconds(3), ExceptionType = "System.IO.IOException" };
        var everything = Step(1) with { Error = error, Timestamp = new DateTimeOffset(2026, 12, 2, 10, 30, 0, TimeSpan.FromHours(2)) };
        // Every field of an entry is set here (but its number, which the store gives): a field added to JournalEntry must be
        // added to this entry, and kept by every store.
        Assert.All(typeof(JournalEntry).GetProperties().Where(p => p.Name != nameof(JournalEntry.Sequence)), p => Assert.NotEqual(p.PropertyType.IsValueType ? Activator.CreateInstance(p.PropertyType) : null, p.GetValue(everything)));
        JournalEntry[] written =
        [
            everything,
            new JournalEntry { Kind = JournalEntryKind.StepCompleted, Key = "2:step", Payload = Payload.Empty, Timestamp = Time.GetUtcNow() },
            new JournalEntry { Kind = JournalEntryKind.StepCompleted, Key = "3:step", Payload = Payload.ParseJson("""[1,"two",{"three":3.5}]"""), Timestamp = Time.GetUtcNow() },
            new JournalEntry { Kind = JournalEntryKind.RunSucceeded, Payload = Payload.FromText("ünïcødé ✓"), Timestamp = Time.GetUtcNow() },
        ];
        foreach (var entry in written) await store.AppendAsync(lease, entry);
        await store.SetStatusAsync(lease, RunStatus.Succeeded);
        await store.ReleaseLeaseAsync(lease);

        var read = await store.ReadJournalAsync("done");
        var resumed = await store.TryAcquireLeaseAsync("done", "later", TimeSpan.FromMinutes(1));
        await store.AppendAsync(resumed!, new JournalEntry { Kind = JournalEntryKind.RunFailed, Timestamp = Time.GetUtcNow() });

        Assert.Equal(written.Select((e, i) => Json(e with { Sequence = i + 1 })), read.Select(Json));
        Assert.Equal([2L, 3, 4], (await store.ReadJournalAsync("done", afterSequence: 1)).Take(3).Select(e => e.Sequence));
        Assert.Equal([1L, 2, 3, 4, 5], (await store.ReadJournalAsync("done")).Select(e => e.Sequence));
        Assert.Equal(JournalEntryKind.RunFailed, (await store.ReadJournalAsync("done", afterSequence: 4)).Single().Kind);
    }

    private static string Json(JournalEntry entry) => System.Text.Json.JsonSerializer.Serialize(entry, StoreJsonContext.Default.JournalEntry);

    [StoreFact]
    public async Task A_large_payload_round_trips()
    {
        var store = await StoreAsync();
        var lease = await store.CreateRunAsync(Run("big"), "me", TimeSpan.FromMinutes(1));
        var big = Payload.FromText(string.Concat(Enumerable.Range(0, 50_000).Select(i => (char)('a' + i % 26))));
        await store.AppendAsync(lease, Step(1, big) with { StateChanges = [new StateChange("doc", big)] });
        var read = (await store.ReadJournalAsync("big"))[0];
        Assert.Equal(big, read.Payload);
        Assert.Equal(big, read.StateChanges![0].Value);
    }

    [StoreFact]
    public async Task Concurrent_appends_to_one_run_lose_nothing_and_leave_no_gaps()
    {
        var store = await StoreAsync();
        var lease = await store.CreateRunAsync(Run("busy"), "me", TimeSpan.FromMinutes(1));

        var appended = await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            var mine = new List<long>();
            for (var i = 0; i < 50; i++) mine.Add((await store.AppendAsync(lease, Step(t * 100 + i))).Sequence);
            return mine;
        })));

        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), appended.SelectMany(s => s).Order());
        Assert.True(appended.All(s => s.SequenceEqual(s.Order())), "each writer's appends are numbered in its order");
        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), (await store.ReadJournalAsync("busy")).Select(e => e.Sequence));
    }

    [StoreFact]
    public async Task Many_runs_at_once_each_keep_their_own_journal()
    {
        var store = await StoreAsync();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async r =>
        {
            var lease = await store.CreateRunAsync(Run($"run-{r}"), "me", TimeSpan.FromMinutes(1));
            for (var i = 1; i <= 10; i++) await store.AppendAsync(lease, Step(i));
        }));

        for (var r = 0; r < 16; r++)
        {
            var journal = await store.ReadJournalAsync($"run-{r}");
            Assert.Equal(Enumerable.Range(1, 10).Select(i => $"{i}:step"), journal.Select(e => e.Key));
        }
    }

    [StoreFact]
    public async Task A_lease_is_held_by_one_owner_and_fences_out_the_old_holder_once_taken()
    {
        var store = await StoreAsync();
        var first = await store.CreateRunAsync(Run("leased"), "first", TimeSpan.FromSeconds(30));

        Assert.Null(await store.TryAcquireLeaseAsync("leased", "second", TimeSpan.FromSeconds(30)));
        Assert.Equal("first", (await store.GetRunAsync("leased"))!.LeaseOwner);
        Assert.True(await store.RenewLeaseAsync(first, TimeSpan.FromSeconds(30)));

        // The first owner stops renewing (it died, or hangs); once the lease runs out another takes the run.
        await ExpireAsync(TimeSpan.FromSeconds(31));
        var second = await store.TryAcquireLeaseAsync("leased", "second", TimeSpan.FromSeconds(30));
        Assert.NotNull(second);
        Assert.True(second!.Epoch > first.Epoch);

        await Assert.ThrowsAsync<RunLeaseLostException>(() => store.AppendAsync(first, Step(1)).AsTask());
        await Assert.ThrowsAsync<RunLeaseLostException>(() => store.SetStatusAsync(first, RunStatus.Failed).AsTask());
        Assert.False(await store.RenewLeaseAsync(first, TimeSpan.FromSeconds(30)));
        await store.ReleaseLeaseAsync(first); // no effect: it was lost
        Assert.Equal(1, (await store.AppendAsync(second, Step(1))).Sequence);
        Assert.Equal(RunStatus.Running, (await store.GetRunAsync("leased"))!.Status);
        Assert.Equal("second", (await store.GetRunAsync("leased"))!.LeaseOwner);
    }

    [StoreFact]
    public async Task A_released_lease_can_be_taken_at_once_and_its_owner_may_take_it_again()
    {
        var store = await StoreAsync();
        var lease = await store.CreateRunAsync(Run("released"), "first", TimeSpan.FromMinutes(10));
        var again = await store.TryAcquireLeaseAsync("released", "first", TimeSpan.FromMinutes(10));
        Assert.NotNull(again);

        await store.ReleaseLeaseAsync(again!);
        var other = await store.TryAcquireLeaseAsync("released", "other", TimeSpan.FromMinutes(10));

        Assert.NotNull(other);
        Assert.Equal("other", (await store.GetRunAsync("released"))!.LeaseOwner);
        await Assert.ThrowsAsync<RunLeaseLostException>(() => store.AppendAsync(lease, Step(1)).AsTask());
        await Assert.ThrowsAsync<KeyNotFoundException>(() => store.TryAcquireLeaseAsync("no-such-run", "x", TimeSpan.FromSeconds(1)).AsTask());
    }

    [StoreFact]
    public async Task Two_owners_racing_for_an_expired_lease_never_both_win()
    {
        var store = await StoreAsync();
        await store.CreateRunAsync(Run("race"), "dead", TimeSpan.FromSeconds(1));
        await ExpireAsync(TimeSpan.FromSeconds(2));

        var takes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () => await store.TryAcquireLeaseAsync("race", $"owner-{i}", TimeSpan.FromMinutes(5)))));

        Assert.Single(takes, t => t is not null);
    }

    [StoreFact]
    public async Task Statuses_and_run_records_are_kept()
    {
        var store = await StoreAsync();
        var lease = await store.CreateRunAsync(Run("status", parent: "parent-1"), "me", TimeSpan.FromMinutes(1));
        await store.SetStatusAsync(lease, RunStatus.Waiting);

        var run = (await store.GetRunAsync("status"))!;

        Assert.Equal(("status", "flow", RunStatus.Waiting, "parent-1", "/flows/flow.yaml"), (run.RunId, run.Workflow, run.Status, run.ParentRunId, run.Source));
        Assert.Equal(Time.GetUtcNow().ToUnixTimeMilliseconds(), run.StartedAt.ToUnixTimeMilliseconds());
        Assert.Null(await store.GetRunAsync("missing"));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => store.ReadJournalAsync("missing").AsTask());
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => store.CreateRunAsync(Run("status"), "me", TimeSpan.FromMinutes(1)).AsTask());
    }

    [StoreFact]
    public async Task Runs_are_listed_newest_first_and_filtered()
    {
        var store = await StoreAsync();
        for (var i = 0; i < 6; i++)
        {
            var lease = await store.CreateRunAsync(Run($"run-{i}", workflow: i % 2 == 0 ? "even" : "odd", parent: i == 5 ? "run-0" : null, minute: i), "me", TimeSpan.FromMinutes(1));
            if (i < 2) await store.SetStatusAsync(lease, RunStatus.Succeeded);
        }

        Assert.Equal(["run-5", "run-4", "run-3", "run-2", "run-1", "run-0"], (await store.ListRunsAsync()).Select(r => r.RunId));
        Assert.Equal(["run-1", "run-0"], (await store.ListRunsAsync(new RunQuery { Status = RunStatus.Succeeded })).Select(r => r.RunId));
        Assert.Equal(["run-4", "run-2", "run-0"], (await store.ListRunsAsync(new RunQuery { Workflow = "even" })).Select(r => r.RunId));
        Assert.Equal(["run-5"], (await store.ListRunsAsync(new RunQuery { ParentRunId = "run-0" })).Select(r => r.RunId));
        var start = Time.GetUtcNow();
        Assert.Equal(["run-3", "run-2"], (await store.ListRunsAsync(new RunQuery { StartedAfter = start.AddMinutes(2), StartedBefore = start.AddMinutes(4) })).Select(r => r.RunId));
        Assert.Equal(["run-5", "run-4"], (await store.ListRunsAsync(new RunQuery { Limit = 2 })).Select(r => r.RunId));
    }

    private HumanRequest Request(string id, string run, int minute = 0) => new()
    {
        Id = id, RunId = run, StepKey = "2:ask", Prompt = "Ship it?", Choices = ["yes", "no"], AnswerSchema = """{"type":"string"}""",
        Details = Payload.ParseJson("""{"why":"release"}"""), CreatedAt = Time.GetUtcNow().AddMinutes(minute), ExpiresAt = Time.GetUtcNow().AddDays(7),
    };

    [StoreFact]
    public async Task Human_requests_are_saved_once_listed_and_closed_first_wins()
    {
        var store = await StoreAsync();
        await store.CreateRunAsync(Run("asking"), "me", TimeSpan.FromMinutes(1));
        var saved = await store.SaveHumanRequestAsync(Request("q1", "asking"));
        var again = await store.SaveHumanRequestAsync(Request("q1", "asking") with { Prompt = "changed" });
        await store.SaveHumanRequestAsync(Request("q2", "asking", minute: 1));
        await store.SaveHumanRequestAsync(Request("q3", "other", minute: 2));

        Assert.Equal("Ship it?", again.Prompt); // idempotent: the stored one comes back
        Assert.Equal(["q1", "q2"], (await store.ListHumanRequestsAsync("asking")).Select(r => r.Id));
        Assert.Equal(["q1", "q2", "q3"], (await store.ListHumanRequestsAsync()).Select(r => r.Id));

        Assert.True(await store.CloseHumanRequestAsync("q1", HumanRequestStatus.Answered, "yes", Time.GetUtcNow()));
        Assert.False(await store.CloseHumanRequestAsync("q1", HumanRequestStatus.Answered, "no", Time.GetUtcNow()));
        Assert.False(await store.CloseHumanRequestAsync("missing", HumanRequestStatus.Withdrawn, null, Time.GetUtcNow()));

        var answered = (await store.GetHumanRequestAsync("q1"))!;
        Assert.Equal((HumanRequestStatus.Answered, "yes", saved.AnswerSchema, saved.ExpiresAt), (answered.Status, answered.Answer, answered.AnswerSchema, answered.ExpiresAt));
        Assert.Equal(["yes", "no"], answered.Choices);
        Assert.Equal("""{"why":"release"}""", answered.Details!.ToString());
        Assert.Equal(["q2"], (await store.ListHumanRequestsAsync("asking")).Select(r => r.Id));
        Assert.Equal(["q1", "q2"], (await store.ListHumanRequestsAsync("asking", openOnly: false)).Select(r => r.Id));
        Assert.Null(await store.GetHumanRequestAsync("missing"));
    }

    [StoreFact]
    public async Task Two_answers_racing_for_one_request_exactly_one_wins()
    {
        var store = await StoreAsync();
        await store.SaveHumanRequestAsync(Request("race", "run"));
        var wins = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () => await store.CloseHumanRequestAsync("race", HumanRequestStatus.Answered, $"answer {i}", Time.GetUtcNow()))));
        Assert.Single(wins, w => w);
    }

    [StoreFact]
    public async Task Retention_deletes_only_finished_runs_older_than_the_cutoff_with_their_data()
    {
        var store = await StoreAsync();
        async Task<RunLease> Make(string id, RunStatus status)
        {
            var lease = await store.CreateRunAsync(Run(id), "me", TimeSpan.FromMinutes(1));
            await store.AppendAsync(lease, Step(1, Payload.FromText(new string('x', 100_000))));
            await store.SaveHumanRequestAsync(Request("q-" + id, id));
            if (status != RunStatus.Running) await store.SetStatusAsync(lease, status);
            return lease;
        }

        await Make("old-done", RunStatus.Succeeded);
        await Make("old-failed", RunStatus.Failed);
        await Make("old-running", RunStatus.Running);
        await Make("old-waiting", RunStatus.Waiting);
        await ExpireAsync(TimeSpan.FromDays(30));
        await Make("new-done", RunStatus.Succeeded);

        var deleted = await store.DeleteFinishedRunsAsync(Time.GetUtcNow().AddDays(-1));

        Assert.Equal(2, deleted);
        Assert.Equal(["new-done", "old-running", "old-waiting"], (await store.ListRunsAsync()).Select(r => r.RunId).Order());
        Assert.Null(await store.GetHumanRequestAsync("q-old-done"));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => store.ReadJournalAsync("old-done").AsTask());
        Assert.Equal(new string('x', 100_000), (await store.ReadJournalAsync("new-done"))[0].Payload!.AsText());
    }

    [StoreFact]
    public async Task What_one_store_wrote_another_over_the_same_data_reads()
    {
        var store = await StoreAsync();
        var lease = await store.CreateRunAsync(Run("shared"), "me", TimeSpan.FromMinutes(1));
        await store.AppendAsync(lease, Step(1));
        await store.SaveHumanRequestAsync(Request("q", "shared"));
        if (await ReopenAsync(store) is not { } other) return; // a store that is not durable has nothing to reopen
        Track(other);

        Assert.Equal("output 1", (await other.ReadJournalAsync("shared"))[0].Payload!.AsText());
        Assert.Equal("me", (await other.GetRunAsync("shared"))!.LeaseOwner);
        Assert.Null(await other.TryAcquireLeaseAsync("shared", "other-process", TimeSpan.FromMinutes(1)));
        Assert.True(await other.CloseHumanRequestAsync("q", HumanRequestStatus.Answered, "yes", Time.GetUtcNow()));
        Assert.False(await store.CloseHumanRequestAsync("q", HumanRequestStatus.Answered, "no", Time.GetUtcNow()));
    }

    [StoreFact]
    public async Task A_run_is_created_atomically_with_its_first_entries_and_keeps_its_definition()
    {
        var store = await StoreAsync();
        var definition = """{"main":"/flows/flow.yaml","files":{"/flows/flow.yaml":"version: 1\nname: flow\n"}}""";
        var started = new JournalEntry { Kind = JournalEntryKind.RunStarted, Payload = Payload.FromText("input"), Timestamp = DateTimeOffset.UnixEpoch };
        var lease = await store.CreateRunAsync(Run("atomic") with { Definition = definition }, "me", TimeSpan.FromMinutes(1), [started, Step(1), Step(2, Payload.FromText(new string('y', 100_000)))]);

        var journal = await store.ReadJournalAsync("atomic");
        Assert.Equal([1L, 2, 3], journal.Select(e => e.Sequence));
        Assert.Equal([JournalEntryKind.RunStarted, JournalEntryKind.StepCompleted, JournalEntryKind.StepCompleted], journal.Select(e => e.Kind));
        Assert.Equal("input", journal[0].Payload!.AsText());
        Assert.Equal(new string('y', 100_000), journal[2].Payload!.AsText());
        Assert.Equal(4L, (await store.AppendAsync(lease, Step(3))).Sequence);
        Assert.Equal(definition, (await store.GetRunAsync("atomic"))!.Definition);
        Assert.Equal(definition, (await store.ListRunsAsync()).Single(r => r.RunId == "atomic").Definition);

        // A second create with the same id fails whole: the first run's journal gets none of its entries.
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.CreateRunAsync(Run("atomic"), "other", TimeSpan.FromMinutes(1), [started, Step(9)]).AsTask());
        Assert.Equal([1L, 2, 3, 4], (await store.ReadJournalAsync("atomic")).Select(e => e.Sequence));
        Assert.Equal("me", (await store.GetRunAsync("atomic"))!.LeaseOwner);

        await store.CreateRunAsync(Run("empty"), "me", TimeSpan.FromMinutes(1), []);
        Assert.Empty(await store.ReadJournalAsync("empty"));
        Assert.Null((await store.GetRunAsync("empty"))!.Definition);
    }

    [StoreFact]
    public async Task A_lease_is_stolen_at_once_only_from_the_named_dead_owner_and_fences_it_out()
    {
        var store = await StoreAsync();
        var dead = await store.CreateRunAsync(Run("orphan"), "host:4242:dead", TimeSpan.FromMinutes(10));

        Assert.Null(await store.StealLeaseAsync("orphan", "host:4243:someone-else", "me", TimeSpan.FromMinutes(1)));
        Assert.Equal("host:4242:dead", (await store.GetRunAsync("orphan"))!.LeaseOwner);
        var stolen = await store.StealLeaseAsync("orphan", "host:4242:dead", "me", TimeSpan.FromMinutes(1));

        Assert.NotNull(stolen);
        Assert.Equal(("me", dead.Epoch + 1), (stolen!.Owner, stolen.Epoch));
        Assert.Equal("me", (await store.GetRunAsync("orphan"))!.LeaseOwner);
        await Assert.ThrowsAsync<RunLeaseLostException>(() => store.AppendAsync(dead, Step(1)).AsTask());
        Assert.False(await store.RenewLeaseAsync(dead, TimeSpan.FromMinutes(1)));
        Assert.Equal(1L, (await store.AppendAsync(stolen, Step(1))).Sequence);
        // The dead owner no longer holds it, so it cannot be stolen in its name again; a released lease is not stolen either.
        Assert.Null(await store.StealLeaseAsync("orphan", "host:4242:dead", "third", TimeSpan.FromMinutes(1)));
        await store.ReleaseLeaseAsync(stolen);
        Assert.Null(await store.StealLeaseAsync("orphan", "me", "third", TimeSpan.FromMinutes(1)));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => store.StealLeaseAsync("no-such-run", "a", "b", TimeSpan.FromMinutes(1)).AsTask());
    }

    /// <summary>Lets leases run out: on the store's clock when the test controls it, else in real time.</summary>
    protected virtual Task ExpireAsync(TimeSpan by)
    {
        Time.Advance(by);
        return Task.CompletedTask;
    }
}
