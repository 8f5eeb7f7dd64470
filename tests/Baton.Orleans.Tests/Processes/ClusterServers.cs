using Npgsql;
using StackExchange.Redis;

namespace Baton.Orleans.Tests.Processes;

/// <summary>
/// The Redis and PostgreSQL servers the process tests need, on 127.0.0.1: <c>BATON_TEST_REDIS</c> (default
/// 127.0.0.1:6390, as .ci/redis.sh starts it) and <c>BATON_TEST_POSTGRES</c> (as .ci/postgres.sh starts it).
/// </summary>
internal static class ClusterServers
{
    public static string Redis { get; } = Environment.GetEnvironmentVariable("BATON_TEST_REDIS") is { Length: > 0 } redis ? redis : "127.0.0.1:6390";

    public static string Postgres { get; } = Environment.GetEnvironmentVariable("BATON_TEST_POSTGRES") is { Length: > 0 } postgres ? postgres
        : "Host=127.0.0.1;Port=5432;Username=baton;Password=baton;Database=baton_test;Timeout=3";

    private static readonly Lazy<string?> Skip = new(() =>
    {
        try
        {
            using var redis = ConnectionMultiplexer.Connect(new ConfigurationOptions { EndPoints = { Redis }, AbortOnConnectFail = true, ConnectTimeout = 2000 });
            redis.GetDatabase().Ping();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ArgumentException)
        {
            return $"Redis not reachable at {Redis} ({ex.Message.Split('\n')[0]}); .ci/run starts one (bash .ci/redis.sh), or set BATON_TEST_REDIS";
        }

        try
        {
            using var connection = new NpgsqlConnection(Postgres);
            connection.Open();
            return null;
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
        {
            return $"PostgreSQL not reachable ({ex.Message}); .ci/run starts one (bash .ci/postgres.sh), or set BATON_TEST_POSTGRES";
        }
    });

    /// <summary>Why the process tests cannot run here, or null when they can.</summary>
    public static string? SkipReason => Skip.Value;

    /// <summary>
    /// A cluster string for one test: the server and a Redis database of its own, emptied first, so no worker of an
    /// earlier test (killed, still listed as a member) slows the new workers' joining.
    /// </summary>
    public static string FreshCluster(int database)
    {
        using var redis = ConnectionMultiplexer.Connect(new ConfigurationOptions { EndPoints = { Redis }, AllowAdmin = true });
        foreach (var server in redis.GetServers()) server.FlushDatabase(database);
        return $"{Redis},defaultDatabase={database}";
    }
}

/// <summary>A test that needs Redis and PostgreSQL: skipped, with the reason, when either is absent.</summary>
public sealed class ClusterFactAttribute : FactAttribute
{
    public ClusterFactAttribute()
    {
        if (ClusterServers.SkipReason is { } reason) Skip = reason;
    }
}
