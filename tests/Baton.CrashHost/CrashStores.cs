using Baton.Storage;
using Baton.Storage.Postgres;
using Baton.Storage.Sqlite;

namespace Baton.CrashHost;

/// <summary>Opens the store a crash run lives in, named by one argument: a SQLite file, or <c>pg:SCHEMA</c>.</summary>
public static class CrashStores
{
    /// <summary>The variable holding the PostgreSQL connection string a <c>pg:SCHEMA</c> store connects with.</summary>
    public const string PostgresVariable = "BATON_TEST_POSTGRES";

    /// <summary>
    /// Opens the store: <c>pg:SCHEMA</c> is that schema of the PostgreSQL server named by
    /// <paramref name="postgres"/> (else <see cref="PostgresVariable"/>); anything else is a SQLite file's path.
    /// </summary>
    /// <exception cref="InvalidOperationException">A PostgreSQL store without <see cref="PostgresVariable"/> set.</exception>
    public static async Task<IRunStore> OpenAsync(string name, string? postgres = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!name.StartsWith("pg:", StringComparison.Ordinal)) return new SqliteRunStore(new SqliteRunStoreOptions { Path = name });
        var connection = postgres ?? Environment.GetEnvironmentVariable(PostgresVariable);
        if (string.IsNullOrWhiteSpace(connection)) throw new InvalidOperationException($"store '{name}' needs {PostgresVariable} (a PostgreSQL connection string)");
        return await PostgresRunStore.OpenAsync(new PostgresRunStoreOptions { ConnectionString = connection, Schema = name[3..] });
    }
}
