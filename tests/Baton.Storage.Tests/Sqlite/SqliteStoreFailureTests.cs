using Baton.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Baton.Storage.Tests.Sqlite;

/// <summary>
/// Files Baton must refuse or report by name: another application's database, a file that is not a database, a
/// damaged row, a journal with a missing entry, and a file another process keeps locked.
/// </summary>
public sealed class SqliteStoreFailureTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("baton-sqlite-failure-");

    private string NewPath() => Path.Combine(_dir.FullName, $"{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }

    private static RunRecord Run(string id) => new() { RunId = id, Workflow = "flow", Status = RunStatus.Running, StartedAt = DateTimeOffset.UtcNow };

    private static JournalEntry Step(int n) => new() { Kind = JournalEntryKind.StepCompleted, Key = $"{n}:s", StepId = "s", Payload = Payload.FromText($"out {n}") };

    private static void Sql(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static List<string> Tables(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
        using var reader = command.ExecuteReader();
        var tables = new List<string>();
        while (reader.Read()) tables.Add(reader.GetString(0));
        return tables;
    }

    private async Task<string> StoreWithJournalAsync(string runId, int entries)
    {
        var path = NewPath();
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });
        var lease = await store.CreateRunAsync(Run(runId), "me", TimeSpan.FromMinutes(1));
        for (var i = 1; i <= entries; i++) await store.AppendAsync(lease, Step(i));
        return path;
    }

    [Fact]
    public void Another_applications_database_is_refused_and_left_without_Batons_tables()
    {
        var path = NewPath();
        Sql(path, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'Ada');");

        var error = Assert.Throws<StoreFormatException>(() => new SqliteRunStore(new SqliteRunStoreOptions { Path = path }));

        Assert.Contains($"'{path}' is not a Baton store", error.Message);
        Assert.Contains("customers", error.Message);
        Assert.Equal(["customers"], Tables(path));
    }

    [Fact]
    public void A_database_marked_by_another_application_is_refused_even_when_empty()
    {
        var path = NewPath();
        Sql(path, "PRAGMA application_id = 1234");

        var error = Assert.Throws<StoreFormatException>(() => new SqliteRunStore(new SqliteRunStoreOptions { Path = path }));

        Assert.Contains("application_id is 1234", error.Message);
        Assert.Empty(Tables(path));
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_by_name_and_kept()
    {
        var path = NewPath();
        var text = string.Concat(Enumerable.Repeat("not a database, just notes\n", 200));
        File.WriteAllText(path, text);

        var error = Assert.Throws<StoreFormatException>(() => new SqliteRunStore(new SqliteRunStoreOptions { Path = path }));

        Assert.Contains($"'{path}' is not a SQLite database", error.Message);
        Assert.Equal(text, File.ReadAllText(path));
    }

    [Fact]
    public async Task An_empty_file_becomes_a_store_marked_as_Batons()
    {
        var path = NewPath();
        File.WriteAllBytes(path, []);

        await using (var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path }))
        {
            await store.CreateRunAsync(Run("r"), "me", TimeSpan.FromMinutes(1));
        }

        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA application_id";
        Assert.Equal((long)SqliteRunStore.ApplicationId, command.ExecuteScalar());
    }

    [Fact]
    public async Task A_row_whose_value_has_the_wrong_type_is_a_named_error_not_a_cast_exception()
    {
        var path = await StoreWithJournalAsync("typed", 2);
        Sql(path, "UPDATE journal SET body = 12345 WHERE seq = 2");
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });

        var journal = await Assert.ThrowsAsync<StoreFormatException>(() => store.ReadJournalAsync("typed").AsTask());
        Assert.StartsWith("journal entry 2 of run 'typed' is damaged", journal.Message);

        Sql(path, "UPDATE runs SET status = 99 WHERE run_id = 'typed'");
        var run = await Assert.ThrowsAsync<StoreFormatException>(() => store.GetRunAsync("typed").AsTask());
        Assert.StartsWith("run 'typed' is damaged", run.Message);
        await Assert.ThrowsAsync<StoreFormatException>(() => store.ListRunsAsync().AsTask());
    }

    [Fact]
    public async Task Damaged_blob_paths_are_a_named_error()
    {
        var path = await StoreWithJournalAsync("paths", 1);
        Sql(path, "UPDATE journal SET blob_paths = '{not json' WHERE seq = 1");
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });

        var error = await Assert.ThrowsAsync<StoreFormatException>(() => store.ReadJournalAsync("paths").AsTask());
        Assert.StartsWith("journal entry 1 of run 'paths' is damaged", error.Message);
    }

    [Fact]
    public async Task A_missing_entry_in_the_middle_of_a_journal_is_a_named_gap()
    {
        var path = await StoreWithJournalAsync("holey", 4);
        Sql(path, "DELETE FROM journal WHERE run_id = 'holey' AND seq = 2");
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });

        var error = await Assert.ThrowsAsync<StoreFormatException>(() => store.ReadJournalAsync("holey").AsTask());

        Assert.Equal("the journal of run 'holey' has a gap: entry 2 is missing (the next entry is 3); the run cannot be resumed or reported from a damaged journal", error.Message);
        // Read from past the gap, the rest is whole.
        Assert.Equal([3L, 4L], (await store.ReadJournalAsync("holey", 2)).Select(e => e.Sequence));
    }

    [Fact]
    public async Task A_missing_last_entry_is_a_named_gap()
    {
        var path = await StoreWithJournalAsync("short", 3);
        Sql(path, "DELETE FROM journal WHERE run_id = 'short' AND seq = 3");
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });

        var error = await Assert.ThrowsAsync<StoreFormatException>(() => store.ReadJournalAsync("short").AsTask());

        Assert.Contains("entry 3 is missing (it ends before the last entry the run appended)", error.Message);
    }

    [Fact]
    public async Task Resuming_a_run_whose_journal_has_a_gap_is_refused_and_the_run_is_not_touched()
    {
        var path = NewPath();
        var workflow = new SequentialBuilder("gappy")
            .Then(Agent.Create("a", p => Payload.FromText("A")))
            .Then(Agent.Create("b", p => Payload.FromText("B")))
            .Then(Agent.Create("c", p => Payload.FromText("C")))
            .Build();
        await using (var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path }))
        {
            await using var runtime = new BatonRuntime(new BatonOptions { Store = store });
            var result = await runtime.RunAsync(workflow, "go", new RunOptions { RunId = "gappy-1" });
            Assert.True(result.IsSuccess);
        }

        // A crash image: the run still marked running, and one completed step's entry lost.
        Sql(path, "UPDATE runs SET status = 0, lease_owner = NULL WHERE run_id = 'gappy-1'; DELETE FROM journal WHERE run_id = 'gappy-1' AND seq = 3;");
        await using (var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path }))
        {
            await using var runtime = new BatonRuntime(new BatonOptions { Store = store });
            var error = await Assert.ThrowsAsync<StoreFormatException>(() => runtime.ResumeAsync("gappy-1", workflow));
            Assert.Contains("the journal of run 'gappy-1' has a gap: entry 3 is missing", error.Message);
            Assert.Null((await store.GetRunAsync("gappy-1"))!.LeaseOwner);
        }
    }

    [Fact]
    public async Task A_file_locked_by_another_connection_fails_the_write_by_name_after_the_busy_timeout()
    {
        var path = NewPath();
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path, BusyTimeout = TimeSpan.FromMilliseconds(300) });
        var lease = await store.CreateRunAsync(Run("locked"), "me", TimeSpan.FromMinutes(1));

        // Another connection (as another process would) takes the write lock and keeps it.
        using var other = new SqliteConnection($"Data Source={path};Pooling=False");
        other.Open();
        using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            begin.ExecuteNonQuery();
        }

        var error = await Assert.ThrowsAsync<SqliteStoreLockedException>(() => store.AppendAsync(lease, Step(1)).AsTask());
        Assert.Contains($"the SQLite store '{path}' is locked by another process", error.Message);

        using (var rollback = other.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        // Once the lock is let go, the store writes again: nothing was half-written.
        var written = await store.AppendAsync(lease, Step(1));
        Assert.Equal(1, written.Sequence);
        Assert.Single(await store.ReadJournalAsync("locked"));
    }
}
