using System.Net;
using System.Net.Sockets;
using Baton.Orleans;
using Baton.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Baton.Samples;

/// <summary>
/// The research panel on a cluster of two workers (two Orleans silos, here in one process, sharing one store): four
/// panels are handed to the cluster at once and each runs on whichever worker its run grain landed on. Real workers
/// are separate processes or machines sharing PostgreSQL and Redis: <c>baton worker --cluster 127.0.0.1:6379</c>.
/// </summary>
public static class ResearchPanelClusterSample
{
    public static async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        var panel = ResearchPanelSample.Panel();
        var store = new InMemoryRunStore();
        var primary = new IPEndPoint(IPAddress.Loopback, FreePort());
        using var first = await StartWorkerAsync(store, panel, primary, primary.Port, cancellationToken);
        using var second = await StartWorkerAsync(store, panel, primary, FreePort(), cancellationToken);
        var cluster = first.Services.GetRequiredService<BatonCluster>();

        string[] questions = ["Should we adopt AI agents this year?", "Should support use AI agents?", "Should sales use AI agents?", "Should finance use AI agents?"];
        var runs = await Task.WhenAll(questions.Select(q => cluster.StartAsync(panel, q, cancellationToken: cancellationToken)));
        var failed = 0;
        foreach (var (runId, question) in runs.Zip(questions))
        {
            var state = await cluster.WaitAsync(runId, cancellationToken);
            var output = (await store.ReadJournalAsync(runId, 0, cancellationToken)).LastOrDefault(e => e.Kind == JournalEntryKind.StepCompleted)?.Payload;
            Console.WriteLine($"{question} -> {state.Status.ToString().ToLowerInvariant()}: {output}");
            if (state.Status != RunStatus.Succeeded) failed++;
        }

        await second.StopAsync(CancellationToken.None);
        await first.StopAsync(CancellationToken.None);
        return failed == 0 ? 0 : 1;
    }

    /// <summary>A worker: an Orleans silo (local clustering, for one machine) hosting Baton runs on the shared store.</summary>
    private static async Task<IHost> StartWorkerAsync(IRunStore store, Workflow panel, IPEndPoint primary, int siloPort, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.None);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, FreePort(), primary));
        builder.Services.AddSingleton(store);
        builder.Services.AddBaton(o => o.Workflows.Add(panel)).UseOrleans();
        builder.Services.Configure<BatonOptions>(o => o.Resources = ResearchPanelSample.Resources());
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
