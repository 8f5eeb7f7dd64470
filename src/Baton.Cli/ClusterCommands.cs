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
            state = await ClusterProgress.FollowAsync(baton, runStore, runId, json, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Answers a waiting run of the cluster: the answer goes to the run's grain, and the run continues on a worker, not
    /// here; this command follows it until it settles and prints it as <c>runs answer</c> does for a local run.
    /// </summary>
    public static async Task<int> AnswerAsync(string cluster, string runId, string value, bool json, string? store, CancellationToken cancellationToken)
    {
        var runStore = await Clusters.OpenStoreAsync(store, cancellationToken).ConfigureAwait(false);
        await using var _ = runStore;
        var record = await runStore.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw new UsageException($"there is no run '{runId}' in the store");
        var open = await runStore.ListHumanRequestsAsync(runId, openOnly: true, cancellationToken).ConfigureAwait(false);
        if (open.Count == 0) throw new UsageException($"run '{runId}' is not waiting for an answer (it is {Reports.RunReport.StatusName(record.Status)})");
        using var host = await ConnectAsync(cluster, cancellationToken).ConfigureAwait(false);
        var baton = new BatonCluster(host.Services.GetRequiredService<IClusterClient>());
        // The grain checks the answer against the question before anything changes: a refused one leaves the run waiting.
        if (await baton.AnswerAsync(runId, value, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            throw new UsageException($"the answer was not accepted: {refused}; run '{runId}' still waits for: {open.OrderBy(r => r.CreatedAt).First().Prompt}");
        }

        Console.Error.WriteLine($"run {runId} answered and resumed on the cluster");
        return await FollowAsync(baton, host, runStore, record, json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes sure a run of the cluster executes — a worker continues it from its journal when nobody alive holds it —
    /// then follows it until it settles and prints it as <c>runs resume</c> does for a local run.
    /// </summary>
    public static async Task<int> ResumeAsync(string cluster, string runId, bool json, string? store, CancellationToken cancellationToken)
    {
        var runStore = await Clusters.OpenStoreAsync(store, cancellationToken).ConfigureAwait(false);
        await using var _ = runStore;
        var record = await runStore.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw new UsageException($"there is no run '{runId}' in the store");
        if (record.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled) throw new UsageException($"run '{runId}' already {Reports.RunReport.StatusName(record.Status)}; nothing to resume");
        using var host = await ConnectAsync(cluster, cancellationToken).ConfigureAwait(false);
        var baton = new BatonCluster(host.Services.GetRequiredService<IClusterClient>());
        Console.Error.WriteLine($"run {runId} resumed on the cluster");
        return await FollowAsync(baton, host, runStore, record, json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a client of the cluster; a cluster that cannot be reached is a usage error naming it.</summary>
    private static async Task<IHost> ConnectAsync(string cluster, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.None);
        builder.UseOrleansClient(client => Clusters.Join(client, cluster));
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            return host;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            host.Dispose();
            throw new UsageException($"cannot reach the cluster at {cluster}: {FirstSentence(ex.Message)}");
        }
    }

    /// <summary>Waits until a run of the cluster settles, prints its report, and returns its exit code; Ctrl+C stops following, not the run.</summary>
    private static async Task<int> FollowAsync(BatonCluster baton, IHost host, IRunStore runStore, RunRecord record, bool json, CancellationToken cancellationToken)
    {
        ClusterRunState state;
        try
        {
            state = await ClusterProgress.FollowAsync(baton, runStore, record.RunId, json, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"run {record.RunId} goes on in the cluster; see it with: baton runs show {record.RunId}");
            return ExitCodes.Cancelled;
        }

        var report = await RunReport.BuildAsync(runStore, record.RunId, Workflows.TryRebuild(record)?.Find(record.Workflow), CancellationToken.None).ConfigureAwait(false);
        Commands.PrintResult(report, json);
        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return ExitCodes.For(state.Status);
    }

    /// <summary>An error's first sentence: Redis' and Orleans' messages go on with advice for their API, not for this command.</summary>
    internal static string FirstSentence(string message) => message.IndexOf(". ", StringComparison.Ordinal) is var end and > 0 ? message[..(end + 1)] : message;

    /// <summary>A worker's workflows: rebuilt from the definition each run stored (cached by definition), with the file's resources added to the worker's runtime.</summary>
    /// <summary>
    /// The workflow files of the runs this worker is handed, each rebuilt once from what its run stored: their workflows
    /// (a file's own and those its <c>on</c> subscriptions start), resources and event subscriptions join the worker's
    /// runtime, so a run's <c>emit</c> starts its child runs here as it would in <c>baton run</c>.
    /// </summary>
    private sealed class StoredWorkflows
    {
        private readonly Dictionary<string, BuiltWorkflowFile?> _loaded = new(StringComparer.Ordinal);
        private BatonRuntime? _runtime;

        /// <summary>The worker's runtime, once its host started: files rebuilt before it was known join it then.</summary>
        public BatonRuntime? Runtime
        {
            get => _runtime;
            set
            {
                lock (_loaded)
                {
                    _runtime = value;
                    if (value is null) return;
                    foreach (var (cacheKey, built) in _loaded)
                    {
                        if (built is not null) Join(cacheKey, built, value);
                    }
                }
            }
        }

        public Workflow? Resolve(RunRecord record)
        {
            var cacheKey = record.Definition ?? record.Source;
            if (cacheKey is null) return null;
            BuiltWorkflowFile? built;
            lock (_loaded)
            {
                if (!_loaded.TryGetValue(cacheKey, out built))
                {
                    _loaded[cacheKey] = built = Workflows.TryRebuild(record);
                    if (built is not null && _runtime is { } runtime) Join(cacheKey, built, runtime);
                }
            }

            return built?.Find(record.Workflow);
        }

        private static void Join(string cacheKey, BuiltWorkflowFile built, BatonRuntime runtime)
        {
            foreach (var (name, resource) in built.Resources)
            {
                if (!runtime.Resources.TryGet(name, out var _)) runtime.Resources.Add(name, resource);
            }

            // Once per file (the cache holds each file once), for as long as the worker lives. A file's subscriptions
            // take the events of that file's runs only (its child runs carry its definition too), as in `baton run
            // FILE`: whether another file's emit reaches them must not depend on which workers happened to run them.
            var options = new SubscriptionOptions { Accepts = (message, ct) => IsOfFileAsync(message, cacheKey, runtime.Store, ct) };
            foreach (var (topic, workflow) in built.Subscriptions) runtime.Events.Subscribe(topic, workflow, options);
        }

        private static async ValueTask<bool> IsOfFileAsync(Message message, string cacheKey, IRunStore store, CancellationToken cancellationToken) =>
            message.RunId is { } runId && await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is { } publisher
            && string.Equals(publisher.Definition ?? publisher.Source, cacheKey, StringComparison.Ordinal);
    }
}
