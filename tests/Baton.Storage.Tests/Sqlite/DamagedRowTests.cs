using Baton.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Baton.Storage.Tests.Sqlite;

/// <summary>
/// Rows the journal-rows fuzz target damaged and that once surfaced as raw exceptions (a cast, a date out of range, a
/// duplicate column, "no start in its journal"): each is refused as a <see cref="StoreFormatException"/> naming the run,
/// the row and the problem — never a wrong resume.
/// </summary>
public sealed class DamagedRowTests : IDisposable
{
    private const string RunId = "damaged";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("baton-damaged-rows-");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }

    private static Workflow Flow(bool failSecond) => SequentialBuilder.Create(
        "damaged-flow",
        Agent.Create("one", (Payload input) => Payload.FromText(input.AsText() + ">one")),
        Agent.Create("two", (input, _) => failSecond ? AgentResult.Failure(ErrorKind.Fatal, "not yet") : AgentResult.Success(Payload.FromText(input.AsText() + ">two"))));

    /// <summary>A store holding a run that failed at its second step (entries: start, one, failure), closed.</summary>
    private async Task<string> FailedRunAsync()
    {
        var path = Path.Combine(_dir.FullName, $"{Guid.NewGuid():N}.db");
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store });
        var failed = await runtime.RunAsync(Flow(failSecond: true), "x", new RunOptions { RunId = RunId });
        Assert.Equal(RunStatus.Failed, failed.Status);
        return path;
    }

    private static void Sql(string path, string sql, byte[]? body = null)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (body is not null) command.Parameters.AddWithValue("$body", body);
        command.ExecuteNonQuery();
    }

    private static async Task<StoreFormatException> ResumeRefusedAsync(string path)
    {
        SqliteConnection.ClearAllPools();
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store });
        return await Assert.ThrowsAsync<StoreFormatException>(() => runtime.ResumeAsync(RunId, Flow(failSecond: false)));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"kind\": \"StepCompleted\"}")]
    public async Task A_first_entry_replaced_by_JSON_of_another_shape_is_refused_by_name(string json)
    {
        var path = await FailedRunAsync();
        Sql(path, $"UPDATE journal SET body = $body WHERE run_id = '{RunId}' AND seq = 1", System.Text.Encoding.UTF8.GetBytes(json));

        var error = await ResumeRefusedAsync(path);

        // Refused where it is first seen: unreadable as an entry when read, or not the run's start when resumed.
        Assert.Contains($"run '{RunId}'", error.Message);
        Assert.Matches("journal entry 1 of run '.*' is damaged|does not begin with the run's start", error.Message);
    }

    [Fact]
    public async Task A_bit_flipped_output_that_is_still_valid_JSON_is_refused_by_its_checksum()
    {
        var path = await FailedRunAsync();
        // The completed step's output "x>one" (its '>' may be escaped) with one bit flipped ('o' 0x6F to 'n' 0x6E): the JSON stays whole and of the
        // right shape, so only the row's checksum can tell (the journal-rows fuzz target's input 815).
        Sql(path, $"UPDATE journal SET body = CAST(replace(replace(CAST(body AS TEXT), 'x>one', 'x>nne'), 'x\\u003Eone', 'x\\u003Enne') AS BLOB) WHERE run_id = '{RunId}' AND seq = 2");

        var error = await ResumeRefusedAsync(path);

        Assert.Contains($"journal entry 2 of run '{RunId}'", error.Message);
        Assert.Contains("checksum does not match", error.Message);
    }

    /// <summary>Reseals every journal row of the run as rows were sealed before XxHash128: the first 8 bytes of the SHA-256.</summary>
    private static void ResealWithLegacyChecksums(string path, string? damage = null)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        var rows = new List<(long Seq, byte[] Json)>();
        using (var read = connection.CreateCommand())
        {
            read.CommandText = $"SELECT seq, body FROM journal WHERE run_id = '{RunId}'";
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                var body = (byte[])reader["body"];
                Assert.Equal(32, body.Length - Array.LastIndexOf(body, (byte)'\n') - 1);
                rows.Add((reader.GetInt64(0), body[..Array.LastIndexOf(body, (byte)'\n')]));
            }
        }

        Assert.NotEmpty(rows);
        foreach (var (seq, json) in rows)
        {
            var checksum = System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(json).AsSpan(0, 8)));
            var text = System.Text.Encoding.UTF8.GetString(json);
            if (damage is not null && seq == 2) text = text.Replace("x>one", damage, StringComparison.Ordinal).Replace("x\\u003Eone", damage.Replace(">", "\\u003E", StringComparison.Ordinal), StringComparison.Ordinal);
            using var write = connection.CreateCommand();
            write.CommandText = $"UPDATE journal SET body = $body WHERE run_id = '{RunId}' AND seq = {seq}";
            write.Parameters.AddWithValue("$body", (byte[])[.. System.Text.Encoding.UTF8.GetBytes(text), (byte)'\n', .. checksum]);
            write.ExecuteNonQuery();
        }
    }

    [Fact]
    public async Task Rows_sealed_with_the_earlier_SHA_256_checksum_still_verify()
    {
        var path = await FailedRunAsync();
        ResealWithLegacyChecksums(path);
        SqliteConnection.ClearAllPools();

        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store });
        var resumed = await (await runtime.ResumeAsync(RunId, Flow(failSecond: false))).Completion;

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal("x>one>two", resumed.Output!.AsText());
    }

    [Fact]
    public async Task A_bit_flipped_output_in_a_row_sealed_with_the_earlier_checksum_is_refused()
    {
        var path = await FailedRunAsync();
        ResealWithLegacyChecksums(path, damage: "x>nne");

        var error = await ResumeRefusedAsync(path);

        Assert.Contains($"journal entry 2 of run '{RunId}'", error.Message);
        Assert.Contains("checksum does not match", error.Message);
    }

    [Fact]
    public async Task A_damaged_blob_is_refused_by_its_hash()
    {
        var path = Path.Combine(_dir.FullName, $"{Guid.NewGuid():N}.db");
        await using (var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path, BlobThreshold = 1024 }))
        await using (var runtime = new BatonRuntime(new BatonOptions { Store = store }))
        {
            Assert.Equal(RunStatus.Failed, (await runtime.RunAsync(Flow(failSecond: true), new string('x', 2000), new RunOptions { RunId = RunId })).Status);
        }

        Sql(path, "UPDATE blobs SET data = CAST(replace(replace(CAST(data AS TEXT), 'x>one', 'x>nne'), 'x\\u003Eone', 'x\\u003Enne') AS BLOB)");

        var error = await ResumeRefusedAsync(path);

        Assert.Contains($"run '{RunId}'", error.Message);
        Assert.Contains("whose content is damaged", error.Message);
    }

    [Fact]
    public async Task A_step_key_damaged_into_no_step_key_is_refused_by_entry_not_a_substring_exception()
    {
        var path = await FailedRunAsync();
        // The completed step's key "1:one" with its colon flipped to another byte, the JSON still whole, in a row written
        // before rows had checksums (the checksum cut off), so the key itself is what is refused.
        Sql(path, $"UPDATE journal SET body = CAST(replace(substr(CAST(body AS TEXT), 1, instr(CAST(body AS TEXT), char(10)) - 1), '\"1:one\"', '\"1;one\"') AS BLOB) WHERE run_id = '{RunId}' AND seq = 2");

        var error = await ResumeRefusedAsync(path);

        Assert.Contains($"journal entry 2 of run '{RunId}'", error.Message);
        Assert.Contains("'1;one' is not a step key", error.Message);
    }

    [Fact]
    public async Task A_lease_time_out_of_range_is_refused_by_name_not_an_argument_exception()
    {
        var path = await FailedRunAsync();
        Sql(path, $"UPDATE runs SET lease_expires = 9223372036854775807, lease_owner = 'ghost' WHERE run_id = '{RunId}'");
        SqliteConnection.ClearAllPools();
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });

        var error = await Assert.ThrowsAsync<StoreFormatException>(() => store.GetRunAsync(RunId).AsTask());

        Assert.Contains($"run '{RunId}' is damaged", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task A_format_version_below_any_written_is_refused_by_name(int format)
    {
        var path = await FailedRunAsync();
        Sql(path, $"UPDATE runs SET format = {format} WHERE run_id = '{RunId}'");
        SqliteConnection.ClearAllPools();
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });

        var error = await Assert.ThrowsAsync<StoreFormatException>(() => store.GetRunAsync(RunId).AsTask());

        Assert.Contains($"run '{RunId}' says store format {format}", error.Message);
    }

    [Fact]
    public async Task A_schema_version_lowered_to_one_is_refused_by_name_not_a_duplicate_column()
    {
        var path = await FailedRunAsync();
        Sql(path, "PRAGMA user_version = 1");
        SqliteConnection.ClearAllPools();

        var error = Assert.Throws<StoreFormatException>(() => new SqliteRunStore(new SqliteRunStoreOptions { Path = path }));

        Assert.Contains("says schema version 1 but has the tables of version", error.Message);
    }

    [Fact]
    public void A_state_write_whose_name_was_lost_is_refused_by_entry_not_a_null_key_exception()
    {
        // What a bit-flipped "name" property reads back as: the write is there, its name is not.
        var journal = new[]
        {
            new JournalEntry { Sequence = 1, Kind = JournalEntryKind.RunStarted, Payload = "x" },
            new JournalEntry { Sequence = 2, Kind = JournalEntryKind.StepCompleted, Key = "1:one", StepId = "one", StateChanges = [new StateChange(null!, "v")] },
        };

        var error = Assert.Throws<StoreFormatException>(() => JournalIntegrity.CheckResumable(RunId, journal));

        Assert.Contains($"journal entry 2 of run '{RunId}' is damaged: it writes a state variable without a name", error.Message);
    }

    [Fact]
    public async Task The_undamaged_run_resumes_to_its_output()
    {
        var path = await FailedRunAsync();
        SqliteConnection.ClearAllPools();
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store });

        var resumed = await (await runtime.ResumeAsync(RunId, Flow(failSecond: false))).Completion;

        Assert.Equal("x>one>two", resumed.Output!.AsText());
    }
}
