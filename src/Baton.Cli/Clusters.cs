using System.Net;
using System.Net.Sockets;
using Baton.Storage;
using Baton.Storage.Postgres;
using Orleans.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;

namespace Baton.Cli;

/// <summary>
/// The cluster a command joins: <c>--cluster</c>, else <c>BATON_CLUSTER</c> — a Redis connection string naming the
/// cluster's membership. A cluster's workers share one PostgreSQL store.
/// </summary>
internal static class Clusters
{
    /// <summary>The Orleans cluster and service id every worker and client of a Baton cluster uses.</summary>
    private const string ClusterId = "baton";

    /// <summary>The cluster's setting: <c>--cluster</c>, else <c>BATON_CLUSTER</c>; null when neither is set.</summary>
    /// <exception cref="UsageException">A cluster is set and this is the native build, which cannot join one.</exception>
    public static string? Setting(string? cluster)
    {
        var setting = !string.IsNullOrWhiteSpace(cluster) ? cluster : Environment.GetEnvironmentVariable("BATON_CLUSTER") is { } fromEnvironment && !string.IsNullOrWhiteSpace(fromEnvironment) ? fromEnvironment : null;
        // Orleans finds its serializers and grains by reflection at run time, which ahead-of-time compiled code does
        // not have: a native worker joins the membership but no run reaches it. Say so before touching the cluster.
        if (setting is not null && !System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported)
        {
            throw new UsageException("the native baton cannot join a cluster (Orleans needs the .NET runtime): use the portable or ready-to-run baton package for --cluster, BATON_CLUSTER and worker (docs/cli.md, \"The native command\")");
        }

        return setting;
    }

    /// <summary>Opens the store a cluster command uses, which must be PostgreSQL (every worker reads and writes it).</summary>
    public static async Task<PostgresRunStore> OpenStoreAsync(string? store, CancellationToken cancellationToken)
    {
        var opened = await Stores.OpenAsync(store, cancellationToken).ConfigureAwait(false);
        if (opened is PostgresRunStore postgres) return postgres;
        await ((IAsyncDisposable)opened).DisposeAsync().ConfigureAwait(false);
        throw new UsageException($"--cluster needs a PostgreSQL store shared by every worker (--store or BATON_STORE with a PostgreSQL connection string), not {Stores.Describe(store)}");
    }

    /// <summary>Joins the silo to the cluster's Redis membership, on free ports of <paramref name="address"/>.</summary>
    public static void Join(ISiloBuilder silo, string cluster, IPAddress address)
    {
        silo.UseRedisClustering(cluster);
        silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ClusterId));
        silo.ConfigureEndpoints(address, FreePort(address), FreePort(address), listenOnAnyHostAddress: false);
    }

    /// <summary>Makes a client of the cluster's Redis membership.</summary>
    public static void Join(IClientBuilder client, string cluster)
    {
        client.UseRedisClustering(cluster);
        client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ClusterId));
    }

    /// <summary>
    /// The address a worker advertises: <c>--address</c>; else loopback when the cluster's Redis is on this machine
    /// (a cluster of one machine), else this machine's first IPv4 address.
    /// </summary>
    public static IPAddress Address(string? address, string cluster)
    {
        if (!string.IsNullOrWhiteSpace(address))
        {
            return IPAddress.TryParse(address, out var parsed) ? parsed : throw new UsageException($"--address '{address}' is not an IP address");
        }

        var redisHost = cluster.Split(',')[0].Split(':')[0].Trim();
        if (redisHost is "127.0.0.1" or "localhost" or "::1") return IPAddress.Loopback;
        return Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a)) ?? IPAddress.Loopback;
    }

    private static int FreePort(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A store in a message: never a connection string (it carries a password).</summary>
    public static string Describe(IRunStore store) => store is PostgresRunStore ? "the PostgreSQL store" : store.GetType().Name;
}
