using Microsoft.Data.Sqlite;

namespace Baton.Storage.Sqlite;

/// <summary>
/// What a file must be before <see cref="SqliteRunStore"/> uses it: a SQLite database that is empty or already a Baton
/// store. Another application's database is refused rather than given Baton's tables, and SQLite's own errors for a
/// file that is not a database or is locked become errors that name the file.
/// </summary>
internal static class SqliteStoreFile
{
    // SQLite's primary result codes (https://sqlite.org/rescode.html).
    private const int IoError = 10;
    private const int Busy = 5;
    private const int Locked = 6;
    private const int Full = 13;
    private const int NotADatabase = 26;

    /// <summary>The tables of every Baton schema version; a file holding other tables is not Baton's.</summary>
    private static readonly HashSet<string> BatonTables = new(StringComparer.OrdinalIgnoreCase) { "runs", "journal", "blobs", "blob_refs", "requests" };

    /// <summary>Opens the file with <paramref name="open"/>, naming the file in the error when SQLite refuses it.</summary>
    public static SqliteConnection Open(string path, Func<SqliteConnection> open, TimeSpan busyTimeout)
    {
        try
        {
            return open();
        }
        catch (SqliteException ex) when (Translate(ex, path, busyTimeout) is { } named)
        {
            throw named;
        }
    }

    /// <summary>
    /// Checks that the file is empty or a Baton store, then runs <paramref name="migrate"/> with its schema version and
    /// marks it as Baton's (<see cref="SqliteRunStore.ApplicationId"/>).
    /// </summary>
    /// <exception cref="StoreFormatException">The file is another application's database, or not a database.</exception>
    public static void Migrate(SqliteConnection connection, string path, Action<SqliteConnection, int> migrate, TimeSpan busyTimeout)
    {
        try
        {
            var applicationId = Scalar(connection, "PRAGMA application_id");
            var version = Scalar(connection, "PRAGMA user_version");
            if (applicationId != SqliteRunStore.ApplicationId)
            {
                if (applicationId != 0) throw Foreign(path, $"its application_id is {applicationId}, not Baton's");
                var tables = Tables(connection);
                // No tables: a new or empty file. A runs table with Baton's columns: a store written before the marker existed.
                if (tables.Count > 0 && !IsUnmarkedBatonStore(connection, tables))
                {
                    throw Foreign(path, $"it holds tables Baton does not know ({string.Join(", ", tables.Where(t => !BatonTables.Contains(t)).DefaultIfEmpty(tables[0]).Take(5))})");
                }
            }

            migrate(connection, (int)version);
            if (applicationId != SqliteRunStore.ApplicationId)
            {
                using var mark = connection.CreateCommand();
                mark.CommandText = $"PRAGMA application_id = {SqliteRunStore.ApplicationId}";
                mark.ExecuteNonQuery();
            }
        }
        catch (SqliteException ex) when (Translate(ex, path, busyTimeout) is { } named)
        {
            throw named;
        }
    }

    /// <summary>Turns on the write-ahead log (readers never block the writer), once the file is known to be Baton's.</summary>
    public static void UseWriteAheadLog(SqliteConnection connection, string path, TimeSpan busyTimeout)
    {
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL";
            command.ExecuteNonQuery();
        }
        catch (SqliteException ex) when (Translate(ex, path, busyTimeout) is { } named)
        {
            throw named;
        }
    }

    /// <summary>
    /// SQLite's error as one that names the store's file and says what to do, or null when it is not one of those
    /// (a lock held too long, a full disk, an I/O error, a file that is not a database).
    /// </summary>
    public static Exception? Translate(SqliteException exception, string path, TimeSpan busyTimeout) => (exception.SqliteErrorCode & 0xFF) switch
    {
        Busy or Locked => new SqliteStoreLockedException($"the SQLite store '{path}' is locked by another process (waited {busyTimeout.TotalSeconds:0.#} s): {exception.Message}", exception),
        Full => new IOException($"the SQLite store '{path}' could not be written: the disk is full ({exception.Message})", exception),
        IoError => new IOException($"the SQLite store '{path}' could not be read or written ({exception.Message}): is its disk full or failing?", exception),
        NotADatabase => new StoreFormatException($"'{path}' is not a SQLite database ({exception.Message}): Baton will not use it as its store; name a new file or a Baton store", exception),
        _ => null,
    };

    private static StoreFormatException Foreign(string path, string why) =>
        new($"'{path}' is not a Baton store: {why}. Baton does not add its tables to another application's database; name a new file (or an empty one) for the store");

    private static bool IsUnmarkedBatonStore(SqliteConnection connection, List<string> tables)
    {
        if (!tables.All(BatonTables.Contains) || !tables.Contains("runs", StringComparer.OrdinalIgnoreCase)) return false;
        using var columns = connection.CreateCommand();
        columns.CommandText = "SELECT name FROM pragma_table_info('runs')";
        using var reader = columns.ExecuteReader();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read()) names.Add(reader.GetString(0));
        return names.IsSupersetOf(["run_id", "workflow", "status", "lease_epoch", "next_seq", "format"]);
    }

    private static List<string> Tables(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name";
        using var reader = command.ExecuteReader();
        var tables = new List<string>();
        while (reader.Read()) tables.Add(reader.GetString(0));
        return tables;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
