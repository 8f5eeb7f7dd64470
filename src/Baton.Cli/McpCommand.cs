using Baton.Server;
using Baton.Yaml;
using Microsoft.Extensions.Logging;

namespace Baton.Cli;

/// <summary><c>baton mcp FILE...</c>: the workflow files as Model Context Protocol tools over stdio, until the client closes standard input.</summary>
internal static class McpCommand
{
    public static async Task<int> RunAsync(string[] paths, string? store, CancellationToken cancellationToken)
    {
        if (paths.Length == 0) throw new UsageException("mcp needs at least one workflow file or folder to offer as tools");
        var runStore = await Stores.OpenAsync(store, cancellationToken).ConfigureAwait(false);
        await using var _ = (IAsyncDisposable)runStore;
        // Standard output carries the protocol: every log line goes to standard error.
        using var logging = LoggerFactory.Create(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning));
        var options = new BatonServerOptions
        {
            Store = runStore,
            // The command's owner format: `baton runs answer` and `resume` take over the runs of a killed `baton mcp`.
            Owner = LeaseOwners.ForThisProcess(),
        };
        foreach (var path in paths) options.WorkflowFiles.Add(path);
        try
        {
            await BatonMcpServer.RunStdioAsync(options, logging, cancellationToken).ConfigureAwait(false);
        }
        catch (WorkflowFileException invalid)
        {
            throw new InvalidWorkflowFileException(invalid.Errors);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: the runs still executing were interrupted and stay resumable.
        }

        return ExitCodes.Succeeded;
    }
}
