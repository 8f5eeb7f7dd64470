using System.Net;
using Baton.Orleans;
using Baton.Server;
using Baton.Yaml;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Baton.Cli;

/// <summary><c>baton serve</c>: the HTTP API for the runs in the store and the workflow files given, until stopped (Ctrl+C).</summary>
internal static class ServeCommand
{
    public const int DefaultPort = 7420;

    /// <summary>
    /// Serves until stopped. With a cluster (<c>--cluster</c> or <c>BATON_CLUSTER</c>) the server is a client of it, not a
    /// worker: the runs it starts, answers, resumes, cancels and forks execute on the cluster's workers.
    /// </summary>
    public static async Task<int> RunAsync(string[] paths, int port, string? host, string? token, string? store, CancellationToken cancellationToken, string? cluster = null)
    {
        host = string.IsNullOrWhiteSpace(host) ? "127.0.0.1" : host.Trim();
        token = !string.IsNullOrEmpty(token) ? token : Environment.GetEnvironmentVariable("BATON_TOKEN") is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        if (port is < 0 or > 65535) throw new UsageException($"--port {port} is not a port: use 0 to 65535");
        // Anyone who can reach the server can start and steer runs: beyond this machine, only with the token.
        if (!IsLoopback(host) && token is null)
        {
            throw new UsageException($"--host {host} is reachable from other machines: give a --token (or set BATON_TOKEN) that clients send as Authorization: Bearer TOKEN");
        }

        var membership = Clusters.Setting(cluster);
        var runStore = membership is null ? await Stores.OpenAsync(store, cancellationToken).ConfigureAwait(false) : await Clusters.OpenStoreAsync(store, cancellationToken).ConfigureAwait(false);
        await using var _ = (IAsyncDisposable)runStore;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}");
        builder.Services.AddBatonServer(options =>
        {
            foreach (var path in paths) options.WorkflowFiles.Add(path);
            options.Store = runStore;
            options.Token = token;
        });
        if (membership is not null)
        {
            builder.UseOrleansClient(client => Clusters.Join(client, membership));
            builder.Services.AddSingleton<IRunExecutor>(services => new BatonCluster(services.GetRequiredService<IClusterClient>()));
        }

        await using var app = builder.Build();
        try
        {
            app.MapBaton();
            app.MapBatonDashboard();
        }
        catch (WorkflowFileException invalid)
        {
            throw new InvalidWorkflowFileException(invalid.Errors);
        }

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (membership is not null && ex is not OperationCanceledException && ex is not IOException)
        {
            throw new UsageException($"cannot reach the cluster at {membership}: {ClusterCommands.FirstSentence(ex.Message)}");
        }

        var where = membership is null ? "" : $"; runs execute on the cluster's workers ({membership.Split(',')[0]})";
        foreach (var address in app.Urls) Console.Error.WriteLine($"baton serve: listening on {address} (the API under /api; Ctrl+C stops){where}");
        try
        {
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Runs still executing are interrupted, not cancelled: they stay resumable (baton runs resume).
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return ExitCodes.Succeeded;
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
