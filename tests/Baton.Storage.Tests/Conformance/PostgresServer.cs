using Npgsql;

namespace Baton.Storage.Tests.Conformance;

/// <summary>The PostgreSQL server the tests use: <c>BATON_TEST_POSTGRES</c>, or the one <c>.ci/run</c> starts on 127.0.0.1.</summary>
public static class PostgresServer
{
    public static string ConnectionString { get; } =
        Environment.GetEnvironmentVariable("BATON_TEST_POSTGRES") is { Length: > 0 } configured ? configured
        : "Host=127.0.0.1;Port=5432;Username=baton;Password=baton;Database=baton_test;Timeout=3";

    private static readonly Lazy<string?> Skip = new(() =>
    {
        try
        {
            using var connection = new NpgsqlConnection(ConnectionString);
            connection.Open();
            return null;
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
        {
            var host = new NpgsqlConnectionStringBuilder(ConnectionString).Host;
            return $"PostgreSQL not reachable at {host} ({ex.Message}); .ci/run starts one (bash .ci/postgres.sh), or set BATON_TEST_POSTGRES";
        }
    });

    /// <summary>Why PostgreSQL tests cannot run here, or null when they can.</summary>
    public static string? SkipReason => Skip.Value;
}
