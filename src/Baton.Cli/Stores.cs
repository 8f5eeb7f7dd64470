using Baton.Storage;
using Baton.Storage.Postgres;
using Baton.Storage.Sqlite;

namespace Baton.Cli;

/// <summary>Opens the store a command uses: <c>--store</c>, else <c>BATON_STORE</c>, else SQLite at <c>.baton/baton.db</c>.</summary>
internal static class Stores
{
    /// <summary>The store's setting: <c>--store</c>, else <c>BATON_STORE</c>; null for the default.</summary>
    private static string? Setting(string? store) =>
        !string.IsNullOrWhiteSpace(store) ? store : Environment.GetEnvironmentVariable("BATON_STORE") is { } fromEnvironment && !string.IsNullOrWhiteSpace(fromEnvironment) ? fromEnvironment : null;

    /// <summary>How messages name the store: its SQLite path, or "the PostgreSQL store" (a connection string carries a password).</summary>
    public static string Describe(string? store) => Setting(store) switch
    {
        null => Path.Combine(".baton", "baton.db"),
        var setting when IsPostgres(setting) => "the PostgreSQL store",
        var setting => setting,
    };

    /// <summary>
    /// Opens an existing store for a command that only reads (runs list, show, history): nothing is created. Null when
    /// the default store does not exist yet (there are no runs); a missing SQLite file named by <c>--store</c> or
    /// <c>BATON_STORE</c> is a usage error (a mistyped path must not look like an empty store).
    /// </summary>
    public static async Task<IRunStore?> OpenExistingAsync(string? store, CancellationToken cancellationToken)
    {
        var setting = Setting(store);
        if (setting is not null && IsPostgres(setting)) return await OpenAsync(store, cancellationToken).ConfigureAwait(false);
        var path = setting ?? Path.Combine(".baton", "baton.db");
        if (File.Exists(path)) return await OpenAsync(store, cancellationToken).ConfigureAwait(false);
        if (setting is null) return null;
        throw new UsageException($"there is no store at '{setting}' (no such SQLite file)");
    }

    private static bool IsPostgres(string setting) =>
        setting.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || setting.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || setting.Contains("Host=", StringComparison.OrdinalIgnoreCase);

    public static async Task<IRunStore> OpenAsync(string? store, CancellationToken cancellationToken)
    {
        var setting = Setting(store);
        if (setting is null) return new SqliteRunStore();
        if (IsPostgres(setting)) return await OpenPostgresAsync(setting, cancellationToken).ConfigureAwait(false);
        return new SqliteRunStore(new SqliteRunStoreOptions { Path = setting });
    }

    // A method of its own: the PostgreSQL store's assemblies load only when a command uses it, not with every SQLite run.
    private static async Task<IRunStore> OpenPostgresAsync(string setting, CancellationToken cancellationToken)
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
