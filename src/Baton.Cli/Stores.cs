using Baton.Storage;
using Baton.Storage.Postgres;
using Baton.Storage.Sqlite;

namespace Baton.Cli;

/// <summary>Opens the store a command uses: <c>--store</c>, else <c>BATON_STORE</c>, else SQLite at <c>.baton/baton.db</c>.</summary>
internal static class Stores
{
    public static async Task<IRunStore> OpenAsync(string? store, CancellationToken cancellationToken)
    {
        var setting = store ?? Environment.GetEnvironmentVariable("BATON_STORE");
        if (string.IsNullOrWhiteSpace(setting)) return new SqliteRunStore();
        if (setting.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || setting.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            || setting.Contains("Host=", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return await PostgresRunStore.OpenAsync(new PostgresRunStoreOptions { ConnectionString = ToConnectionString(setting) }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or ArgumentException or System.Net.Sockets.SocketException)
            {
                // Never echo the connection string: it carries a password.
                throw new UsageException($"cannot open the PostgreSQL store: {ex.Message}");
            }
        }

        return new SqliteRunStore(new SqliteRunStoreOptions { Path = setting });
    }

    /// <summary>A <c>postgres://user:password@host:port/database</c> URL as an Npgsql connection string.</summary>
    private static string ToConnectionString(string setting)
    {
        if (!setting.Contains("://", StringComparison.Ordinal)) return setting;
        var uri = new Uri(setting);
        var user = uri.UserInfo.Split(':', 2);
        var builder = new Npgsql.NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Database = uri.AbsolutePath.Trim('/'),
            Username = Uri.UnescapeDataString(user[0]),
        };
        if (user.Length > 1) builder.Password = Uri.UnescapeDataString(user[1]);
        return builder.ConnectionString;
    }
}
