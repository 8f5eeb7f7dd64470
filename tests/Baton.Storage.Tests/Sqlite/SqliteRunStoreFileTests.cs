using Baton.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Baton.Storage.Tests.Sqlite;

/// <summary>What only a file can show: schema versions, damaged rows, blobs stored once, and many runs committing at once.</summary>
public sealed class SqliteRunStoreFileTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("baton-sqlite-file-");

    private string NewPath() => Path.Combine(_dir.FullName, $"{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }

    private static RunRecord Run(string id) => new() { RunId = id, Workflow = "flow", Status = RunStatus.Running, StartedAt = DateTimeOffset.UtcNow };

    private static JournalEntry Step(int n, Payload payload) => new() { Kind = JournalEntryKind.StepCompleted, Key = $"{n}:s", StepId = "s", Payload = payload };

    private static void Sql(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Count(string path, string table)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task A_file_written_by_a_newer_schema_is_refused_with_a_clear_message()
    {
        var path = NewPath();
        await (new SqliteRunStore(new SqliteRunStoreOptions { Path = path })).DisposeAsync();
        Sql(path, "PRAGMA user_version = 99");

        var error = Assert.Throws<StoreFormatException>(() => new SqliteRunStore(new SqliteRunStoreOptions { Path = path }));
        Assert.Contains("schema version 99", error.Message);
        Assert.Contains("upgrade Baton", error.Message);
    }

    [Fact]
    public async Task A_version_1_file_is_migrated_keeping_its_runs_and_gains_stored_definitions()
    {
        var path = NewPath();
        // The version 1 schema's runs table, as an older Baton left it, with one run.
        Sql(path, """
            CREATE TABLE runs (run_id TEXT PRIMARY KEY, workflow TEXT NOT NULL, status INTEGER NOT NULL, started_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
              parent_run_id TEXT, source TEXT, lease_owner TEXT, lease_epoch INTEGER NOT NULL, lease_expires INTEGER, next_seq INTEGER NOT NULL, format INTEGER NOT NULL);
            INSERT INTO runs VALUES ('old', 'flow', 1, 0, 0, NULL, '/flows/flow.yaml', NULL, 1, NULL, 1, 1);
            PRAGMA user_version = 1;
            """);

        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });

        var old = await store.GetRunAsync("old");
        Assert.Equal(("flow", "/flows/flow.yaml", (string?)null), (old!.Workflow, old.Source, old.Definition));
        await store.CreateRunAsync(Run("new") with { Definition = "{}" }, "me", TimeSpan.FromMinutes(1));
        Assert.Equal("{}", (await store.GetRunAsync("new"))!.Definition);
        Assert.Equal(2, SqliteRunStore.SchemaVersion);
    }

    [Fact]
    public async Task A_run_written_by_a_newer_format_is_refused_on_read()
    {
        var path = NewPath();
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });
        var lease = await store.CreateRunAsync(Run("future"), "me", TimeSpan.FromMinutes(1));
        await store.AppendAsync(lease, Step(1, Payload.FromText("x")));
        Sql(path, "UPDATE runs SET format = 7 WHERE run_id = 'future'");

        var error = await Assert.ThrowsAsync<StoreFormatException>(() => store.ReadJournalAsync("future").AsTask());
        Assert.Equal("run 'future' was written by store format 7; this Baton reads up to format 1: upgrade Baton to read it", error.Message);
        await Assert.ThrowsAsync<StoreFormatException>(() => store.GetRunAsync("future").AsTask());
    }

    [Fact]
    public async Task A_damaged_entry_names_its_run_and_sequence_and_instantiates_nothing()
    {
        var path = NewPath();
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });
        var lease = await store.CreateRunAsync(Run("damaged"), "me", TimeSpan.FromMinutes(1));
        await store.AppendAsync(lease, Step(1, Payload.FromText("fine")));
        await store.AppendAsync(lease, Step(2, Payload.FromText("soon broken")));
        Sql(path, """UPDATE journal SET body = CAST('{"kind":"StepCompleted","$type":"System.IO.FileInfo, System.IO","payload":' AS BLOB) WHERE seq = 2""");

        var error = await Assert.ThrowsAsync<StoreFormatException>(() => store.ReadJournalAsync("damaged").AsTask());
        Assert.StartsWith("journal entry 2 of run 'damaged' is damaged", error.Message);
    }

    [Fact]
    public async Task A_large_payload_is_stored_once_as_a_blob_and_read_back_equal()
    {
        var path = NewPath();
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path, BlobThreshold = 4096 });
        var big = Payload.FromText(new string('z', 100_000));
        var a = await store.CreateRunAsync(Run("a"), "me", TimeSpan.FromMinutes(1));
        var b = await store.CreateRunAsync(Run("b"), "me", TimeSpan.FromMinutes(1));
        for (var i = 1; i <= 3; i++) await store.AppendAsync(a, Step(i, big));
        await store.AppendAsync(b, Step(1, big));

        Assert.Equal(1, Count(path, "blobs"));
        Assert.True(new FileInfo(path).Length + new FileInfo(path + "-wal").Length < 4 * 100_000, "the payload is not stored four times");
        Assert.All(await store.ReadJournalAsync("a"), e => Assert.Equal(big, e.Payload));
        Assert.Equal(big, (await store.ReadJournalAsync("b"))[0].Payload);
    }

    [Fact]
    public async Task Sixty_four_runs_committing_at_once_all_land_without_gaps()
    {
        var path = NewPath();
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });
        await Task.WhenAll(Enumerable.Range(0, 64).Select(r => Task.Run(async () =>
        {
            var lease = await store.CreateRunAsync(Run($"r{r}"), "me", TimeSpan.FromMinutes(1));
            for (var i = 1; i <= 50; i++) await store.AppendAsync(lease, Step(i, Payload.FromText($"{r}/{i}")));
        })));

        Assert.Equal(64 * 50, Count(path, "journal"));
        for (var r = 0; r < 64; r += 9)
        {
            var journal = await store.ReadJournalAsync($"r{r}");
            Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), journal.Select(e => e.Sequence));
            Assert.Equal(Enumerable.Range(1, 50).Select(i => $"{r}/{i}"), journal.Select(e => e.Payload!.AsText()));
        }
    }

    [Fact]
    public async Task A_runtime_on_the_default_file_keeps_runs_across_restarts()
    {
        var path = NewPath();
        var workflow = new SequentialBuilder("restart").Then(Agent.Create("a", p => Payload.FromText(p.AsText() + "!"))).Build();
        string runId;
        await using (var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path }))
        await using (var runtime = new BatonRuntime(new BatonOptions { Store = store }))
        {
            runId = (await runtime.RunAsync(workflow, "hi")).RunId;
        }

        await using var reopened = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });
        var run = (await reopened.GetRunAsync(runId))!;
        Assert.Equal((RunStatus.Succeeded, "restart", null), (run.Status, run.Workflow, run.LeaseOwner));
        Assert.Equal("hi!", (await reopened.ReadJournalAsync(runId)).Single(e => e.Kind == JournalEntryKind.RunSucceeded).Payload!.AsText());
    }
}
