using Baton.Storage;
using Baton.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Baton.Soak.Fuzz;

/// <summary>
/// Damaged stored rows, read back through the SQLite store and resumed: a failed run's journal rows truncated,
/// bit-flipped, replaced by noise or by JSON of another shape, given another kind or sequence, rows deleted or
/// duplicated, blobs lost, the run's format version, status or lease changed. Reading must give the journal or a
/// <see cref="StoreFormatException"/> (refused by name); a resume must end with the uninterrupted output, or fail
/// with a named error — never a crash, never another output.
/// </summary>
public sealed class JournalRowTarget : IFuzzTarget
{
    private const string RunId = "damaged";
    private const int Steps = 6;
    private static bool s_failStep4;
    private string _dir = "";
    private string _template = "";
    private string _expected = "";

    /// <inheritdoc/>
    public string Name => "journal-rows";

    /// <inheritdoc/>
    public int Weight => 5;

    /// <summary>Damaged data the store read back as if whole, whose resume then ended with another output (no checksum caught it).</summary>
    public int UndetectedDamage { get; private set; }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _dir = FuzzDirectory.Create("baton-fuzz-journal-");
        _template = Path.Combine(_dir, "template.db");
        await using (var runtime = new BatonRuntime())
        {
            var whole = await runtime.RunAsync(Workflow(), Payload.FromText("start"), cancellationToken: cancellationToken);
            _expected = whole.Output!.AsText();
        }

        // The template: a run that failed at step 4, so a resume has completed steps to replay and steps to run.
        // On a clock that stands still, so the template's bytes (timestamps included) are the same in every fuzz run:
        // input N then flips the same bits every time, and a failure reproduces from its seed and index.
        s_failStep4 = true;
        var clock = new Baton.Testing.FakeTime();
        var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = _template, BlobThreshold = 1024, TimeProvider = clock });
        await using (store)
        await using (var runtime = new BatonRuntime(new BatonOptions { Store = store, TimeProvider = clock }))
        {
            var failed = await runtime.RunAsync(Workflow(), Payload.FromText("start"), new RunOptions { RunId = RunId }, cancellationToken);
            if (failed.Status != RunStatus.Failed) throw new InvalidOperationException($"the template run ended {failed.Status}");
        }

        s_failStep4 = false;
        SqliteConnection.ClearAllPools();
        using var connection = Open(_template);
        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        checkpoint.ExecuteNonQuery();
    }

    /// <inheritdoc/>
    public async Task<FuzzOutcome> RunAsync(int index, Random random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(random);
        var path = Path.Combine(_dir, $"input-{index}.db");
        File.Copy(_template, path, overwrite: true);
        string damage;
        using (var connection = Open(path)) damage = Damage(connection, random);
        SqliteConnection.ClearAllPools();
        try
        {
            return await ReadAndResumeAsync(path, damage, cancellationToken);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in Directory.GetFiles(_dir, $"input-{index}.db*")) File.Delete(file);
        }
    }

    private async Task<FuzzOutcome> ReadAndResumeAsync(string path, string damage, CancellationToken cancellationToken)
    {
        SqliteRunStore store;
        try
        {
            store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path, BlobThreshold = 1024 });
        }
        catch (StoreFormatException ex) when (!string.IsNullOrWhiteSpace(ex.Message))
        {
            return FuzzOutcome.Refused;
        }
        catch (Exception ex)
        {
            throw new FuzzFailure($"CRASH opening the store after {damage}: {ex.GetType().FullName}: {ex.Message}");
        }

        await using (store)
        {
            try
            {
                await store.GetRunAsync(RunId, cancellationToken);
                await store.ReadJournalAsync(RunId, 0, cancellationToken);
                await using var runtime = new BatonRuntime(new BatonOptions { Store = store });
                var handle = await runtime.ResumeAsync(RunId, Workflow(), cancellationToken: cancellationToken);
                var result = await handle.Completion;
                if (result.IsSuccess)
                {
                    if (result.Output!.AsText() == _expected) return FuzzOutcome.Accepted;
                    UndetectedDamage++;
                    throw new FuzzFailure($"WRONG RESUME after {damage}: the output is {Clip(result.Output.AsText())}, not {Clip(_expected)}");
                }

                if (result.Error is null || string.IsNullOrWhiteSpace(result.Error.Message)) throw new FuzzFailure($"after {damage}: the resume ended {result.Status} without an error message");
                return FuzzOutcome.Refused;
            }
            catch (StoreFormatException ex) when (!string.IsNullOrWhiteSpace(ex.Message))
            {
                return FuzzOutcome.Refused;
            }
            catch (KeyNotFoundException ex) when (damage.Contains("run row", StringComparison.Ordinal) && !string.IsNullOrWhiteSpace(ex.Message))
            {
                // The run's own row was made unreadable as a run of this id: "no such run" is the named answer.
                return FuzzOutcome.Refused;
            }
            catch (InvalidOperationException ex) when (ex.GetType() == typeof(InvalidOperationException) && damage.Contains("run row", StringComparison.Ordinal))
            {
                // ResumeAsync's own refusals (the run succeeded, another holds it, another workflow) when the run row changed.
                return FuzzOutcome.Refused;
            }
            catch (Exception ex) when (ex is not FuzzFailure)
            {
                throw new FuzzFailure($"CRASH after {damage}: {ex.GetType().FullName}: {ex.Message}\n{ex.StackTrace}");
            }
        }
    }

    private static string Damage(SqliteConnection connection, Random random)
    {
        var seqs = Query(connection, "SELECT seq FROM journal WHERE run_id = $id ORDER BY seq").Select(r => (long)r).ToArray();
        var seq = seqs[random.Next(seqs.Length)];
        var body = (byte[])Query(connection, $"SELECT body FROM journal WHERE run_id = $id AND seq = {seq}").Single();
        switch (random.Next(14))
        {
            case 0:
                SetBody(connection, seq, body[..random.Next(body.Length)]);
                return $"journal entry {seq} truncated";
            case 1:
            case 2:
                var flipped = (byte[])body.Clone();
                for (var n = random.Next(1, 9); n > 0; n--) flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                SetBody(connection, seq, flipped);
                return $"journal entry {seq} bit-flipped";
            case 3:
                var noise = new byte[random.Next(0, 300)];
                random.NextBytes(noise);
                SetBody(connection, seq, noise);
                return $"journal entry {seq} replaced by noise";
            case 4:
                SetBody(connection, seq, System.Text.Encoding.UTF8.GetBytes(Pick(random, "{}", "[]", "null", "1", "\"x\"", "{\"kind\": 99}", "{\"kind\": \"StepCompleted\"}", "{\"key\": 5, \"payload\": {\"text\": []}}", "{\"stateChanges\": 7}", "{\"payload\": {\"json\": \"{\"}}")));
                return $"journal entry {seq} replaced by JSON of another shape";
            case 5:
                Execute(connection, $"UPDATE journal SET kind = {Pick(random, -1, 0, 3, 99, int.MaxValue)} WHERE run_id = $id AND seq = {seq}");
                return $"journal entry {seq} given another kind column";
            case 6:
                Execute(connection, $"DELETE FROM journal WHERE run_id = $id AND seq = {seq}");
                return $"journal entry {seq} deleted (a gap)";
            case 7:
                Execute(connection, $"UPDATE journal SET seq = {seq + 1000} WHERE run_id = $id AND seq = {seq}");
                return $"journal entry {seq} renumbered {seq + 1000}";
            case 8:
                Execute(connection, $"INSERT INTO journal (run_id, seq, kind, body, blob_paths) SELECT run_id, {seqs[^1] + 1}, kind, body, blob_paths FROM journal WHERE run_id = $id AND seq = {seq}");
                return $"journal entry {seq} duplicated at the end";
            case 9:
                var loseBlobs = random.Next(2) == 0;
                Execute(connection, loseBlobs ? "DELETE FROM blobs" : "UPDATE journal SET blob_paths = '[\"$.payload\", 7, null]' WHERE run_id = $id AND seq = " + seq);
                return loseBlobs ? "blobs lost" : $"journal entry {seq} given bad blob paths";
            case 10:
                Execute(connection, $"UPDATE runs SET format = {Pick(random, 0, -1, 2, 99, int.MaxValue)} WHERE run_id = $id");
                return "run row: another format version";
            case 11:
                Execute(connection, $"UPDATE runs SET status = {Pick(random, -1, 1, 2, 5, 77)} WHERE run_id = $id");
                return "run row: another status";
            case 12:
                Execute(connection, $"UPDATE runs SET {Pick(random, "next_seq = 1", "next_seq = -5", "lease_epoch = -1", "workflow = 'other'", "lease_expires = 9223372036854775807, lease_owner = 'ghost'", "started_at = -1")} WHERE run_id = $id");
                return "run row: damaged columns";
            default:
                Execute(connection, $"PRAGMA user_version = {Pick(random, 0, 1, 3, 1000)}");
                return "run row: the database's schema version changed";
        }
    }

    private static Workflow Workflow()
    {
        var builder = new SequentialBuilder("damaged-journal");
        for (var i = 1; i <= Steps; i++)
        {
            var name = $"s{i}";
            var step = i;
            builder.Then(Agent.Create(name, (input, context, ct) =>
            {
                if (step == 4 && s_failStep4) return ValueTask.FromResult(AgentResult.Failure(ErrorKind.Fatal, "step 4 fails the first time"));
                context.SetState(name, Payload.From(new { step, text = input.AsText().Length }));
                // Step 2's output is large, so the store keeps it as a blob the journal refers to.
                var output = step == 2 ? input.AsText() + ">" + new string('b', 2000) : input.AsText() + ">" + name;
                return ValueTask.FromResult(AgentResult.Success(Payload.FromText(output)));
            }));
        }

        return builder.Build();
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static void SetBody(SqliteConnection connection, long seq, byte[] body)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE journal SET body = $body WHERE run_id = $id AND seq = {seq}";
        command.Parameters.AddWithValue("$body", body);
        command.Parameters.AddWithValue("$id", RunId);
        command.ExecuteNonQuery();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", RunId);
        command.ExecuteNonQuery();
    }

    private static List<object> Query(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", RunId);
        using var reader = command.ExecuteReader();
        var values = new List<object>();
        while (reader.Read()) values.Add(reader.GetValue(0));
        return values;
    }

    private static T Pick<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];

    private static string Clip(string text) => text.Length <= 200 ? text : text[..200] + "…";

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            if (_dir.Length > 0) Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the system to clean.
        }

        return ValueTask.CompletedTask;
    }
}
