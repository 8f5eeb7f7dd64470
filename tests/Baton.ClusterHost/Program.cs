using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Baton;
using Baton.ClusterHost;
using Baton.CrashHost;
using Baton.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;

// Usage: Baton.ClusterHost <redis> <cluster-id> <pg-schema> <ledger>   (BATON_TEST_POSTGRES: the PostgreSQL server)
// A Baton cluster worker (UseOrleans over Redis membership, the PostgreSQL store shared by every worker) that can run
// every cluster soak shape. Paced: each agent execution prints "executed KEY" and waits for "go KEY" on stdin, so the
// soak decides where its SIGKILL lands. Side effects go to the shared ledger file, keyed by idempotency key.
// Prints "joined OWNER" once the silo is active in the cluster.
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: Baton.ClusterHost <redis> <cluster-id> <pg-schema> <ledger>");
    return 2;
}

var (redis, clusterId, schema, ledgerPath) = (args[0], args[1], args[2], args[3]);
// Paused steps wait on tasks, not threads; the minimum only spares Orleans the thread pool's slow growth under load.
ThreadPool.SetMinThreads(32, 32);
var output = new Lock();
void Say(string line)
{
    lock (output)
    {
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }
}

var gates = new ConcurrentDictionary<string, TaskCompletionSource>(StringComparer.Ordinal);
TaskCompletionSource Gate(string key) => gates.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
_ = Task.Run(() =>
{
    while (Console.In.ReadLine() is { } line)
    {
        if (line.StartsWith("go ", StringComparison.Ordinal)) Gate(line[3..]).TrySetResult();
    }

    // The soak is gone: nobody paces this worker any more.
    Environment.Exit(4);
});

using var ledger = new EffectLedger(ledgerPath);
var effects = new CrashEffects(async key =>
{
    var gate = Gate(key);
    Say("executed " + key);
    await gate.Task;
    // A step run again (after its worker died) waits for a go of its own.
    gates.TryRemove(new KeyValuePair<string, TaskCompletionSource>(key, gate));
}, ledger.Record);

var store = await CrashStores.OpenAsync("pg:" + schema);
await using var storeLifetime = store as IAsyncDisposable;
var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error).AddFilter("Microsoft", LogLevel.Error);
builder.Services.AddSingleton(store);
builder.Services.AddOrleans(silo =>
{
    silo.UseRedisClustering(redis);
    silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, clusterId));
    silo.ConfigureEndpoints(IPAddress.Loopback, FreePort(), FreePort(), listenOnAnyHostAddress: false);
});
builder.Services.AddBaton(o =>
{
    foreach (var shape in ClusterShapes.All) o.Workflows.Add(CrashWorkflows.Build(shape, effects));
}).UseOrleans();
using var host = builder.Build();
await host.StartAsync();
Say("joined " + host.Services.GetRequiredService<BatonRuntime>().Owner);
await host.WaitForShutdownAsync();
return 0;

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}
