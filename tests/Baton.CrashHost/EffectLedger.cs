using Microsoft.Data.Sqlite;

namespace Baton.CrashHost;

/// <summary>
/// An external system the crash workflows' agents change: a SQLite file (apart from the run store) holding one effect
/// per idempotency key, as a payment service or a mailer would. A step run again after a crash makes its effect again
/// with the same key; the ledger keeps the first and counts the repeat, so an effect made twice under two keys (a
/// duplicate) or never made (a loss) shows when the effects are compared with an uninterrupted run's.
/// </summary>
public sealed class EffectLedger : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    /// <summary>Opens (creating when missing) the ledger at <paramref name="path"/>.</summary>
    public EffectLedger(string path)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;" +
                "CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY, run_id TEXT NOT NULL);" +
                "CREATE TABLE IF NOT EXISTS attempts (n INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL);");
    }

    /// <summary>Makes the effect of <paramref name="idempotencyKey"/> (once; a repeat is only counted as an attempt).</summary>
    public void Record(string idempotencyKey, string runId)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO attempts (key) VALUES ($key); INSERT INTO effects (key, run_id) VALUES ($key, $run) ON CONFLICT (key) DO NOTHING;";
            command.Parameters.AddWithValue("$key", idempotencyKey);
            command.Parameters.AddWithValue("$run", runId);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>The effects made: idempotency key and run, in key order.</summary>
    public IReadOnlyList<(string Key, string RunId)> Effects()
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT key, run_id FROM effects ORDER BY key";
            using var reader = command.ExecuteReader();
            var effects = new List<(string, string)>();
            while (reader.Read()) effects.Add((reader.GetString(0), reader.GetString(1)));
            return effects;
        }
    }

    /// <summary>How many times an effect was made again under a key that already had it (dropped by the key).</summary>
    public long Repeats()
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT (SELECT COUNT(*) FROM attempts) - (SELECT COUNT(*) FROM effects)";
            return (long)command.ExecuteScalar()!;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _connection.Dispose();

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
