using Baton.AI;
using Baton.Orleans;
using Baton.Storage;
using Baton.Yaml;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Baton.Cli;

/// <summary><c>baton worker</c> and <c>baton run --cluster</c>: joining a cluster's workers, and handing a run to them.</summary>
internal static class ClusterCommands
{
    /// <summary>Joins the cluster as a worker and runs the workflows handed to it until stopped (Ctrl+C, SIGTERM).</summary>
    public static async Task<int> WorkerAsync(string? cluster, string? store, string[]? capabilities, string? address, CancellationToken cancellationToken)
    {
        var membership = Clusters.Setting(cluster) ?? throw new UsageException("baton worker needs --cluster (or BATON_CLUSTER): the Redis connection string of the cluster's membership, e.g. 127.0.0.1:6379");
        var runStore = await Clusters.OpenStoreAsync(store, cancellationToken).ConfigureAwait(false);
        await using var _ = runStore;
        var advertised = Clusters.Address(address, membership);
        OtlpExport.StartIfConfigured();

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // What the worker does with runs (taken over, handed on), one line each; Orleans' own chatter stays out.
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Baton.Orleans", LogLevel.Information).AddFilter("Orleans", LogLevel.None).AddFilter("Microsoft", LogLevel.None);
        builder.Services.AddSingleton<IRunStore>(runStore);
        builder.Services.AddOrleans(silo => Clusters.Join(silo, membership, advertised));
        builder.Services.AddBaton().UseOrleans(o =>
        {
            foreach (var capability in capabilities ?? []) o.Capabilities.Add(capability);
        });
        builder.Services.AddSingleton<StoredWorkflows>();
        builder.Services.Configure<BatonOptions>(o => o.AnswerValidator = JsonSchemaAnswerValidator.Validate);
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<BatonOptions>>(sp =>
            new Microsoft.Extensions.Options.ConfigureOptions<BatonOptions>(o => o.WorkflowResolver = sp.GetRequiredService<StoredWorkflows>().Resolve));
        using var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new UsageException($"cannot join the cluster at {membership}: {FirstSentence(ex.Message)}");
        }

        var silo = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var runtime = host.Services.GetRequiredService<BatonRuntime>();
        host.Services.GetRequiredService<StoredWorkflows>().Runtime = runtime;
        Console.Error.WriteLine($"worker {runtime.Owner} joined the cluster at {silo.Endpoint} (store: {Clusters.Describe(runStore)}); Ctrl+C stops it");
        await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Succeeded;
    }

    /// <summary>Hands a run of a workflow file to the cluster, waits for it, and prints it as a local run prints.</summary>
    public static async Task<int> RunAsync(string cluster, BuiltWorkflowFile built, StoredWorkflowFile definition, Payload input, bool json, string? store, CancellationToken cancellationToken)
    {
        var runStore = await Clusters.OpenStoreAsync(store, cancellationToken).ConfigureAwait(false);
        await using var _ = runStore;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.None);
        builder.UseOrleansClient(client => Clusters.Join(client, cluster));
        using var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new UsageException($"cannot reach the cluster at {cluster}: {FirstSentence(ex.Message)}");
        }

        var baton = new BatonCluster(host.Services.GetRequiredService<IClusterClient>());
        var runId = await baton.StartAsync(built.Workflow, input, new RunOptions { Source = definition.Main, Definition = definition.ToJson() }, cancellationToken).ConfigureAwait(false);
        Console.Error.WriteLine($"run {runId} started");
        ClusterRunState state;
        try
        {
            state = await baton.WaitAsync(runId, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C stops following, not the run: it goes on on the cluster's workers.
            Console.Error.WriteLine($"run {runId} goes on in the cluster; see it with: baton runs show {runId}");
            return ExitCodes.Cancelled;
        }

        var report = await RunReport.BuildAsync(runStore, runId, built.Workflow, CancellationToken.None).ConfigureAwait(false);
        Commands.PrintResult(report, json);
        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return ExitCodes.For(state.Status);
    }

    /// <summary>An error's first sentence: Redis' and Orleans' messages go on with advice for their API, not for this command.</summary>
    private static string FirstSentence(string message) => message.IndexOf(". ", StringComparison.Ordinal) is var end and > 0 ? message[..(end + 1)] : message;

    /// <summary>A worker's workflows: rebuilt from the definition each run stored (cached by definition), with the file's resources added to the worker's runtime.</summary>
    private sealed class StoredWorkflows
    {
        private readonly Dictionary<string, BuiltWorkflowFile?> _loaded = new(StringComparer.Ordinal);

        public BatonRuntime? Runtime { get; set; }

        public Workflow? Resolve(RunRecord record)
        {
            var cacheKey = record.Definition ?? record.Source;
            if (cacheKey is null) return null;
            BuiltWorkflowFile? built;
            lock (_loaded)
            {
                if (!_loaded.TryGetValue(cacheKey, out built)) _loaded[cacheKey] = built = Workflows.TryRebuild(record);
                if (built is not null && Runtime is { } runtime)
                {
                    foreach (var (name, resource) in built.Resources)
                    {
                        if (!runtime.Resources.TryGet(name, out var _)) runtime.Resources.Add(name, resource);
                    }
                }
            }

            return built?.Workflow;
        }
    }
}
