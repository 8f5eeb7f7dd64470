using Microsoft.Extensions.Logging;
using Baton.Server.Mcp;
using ModelContextProtocol.Server;

namespace Baton.Server;

/// <summary>
/// The workflow files of a <see cref="BatonServerOptions"/> as Model Context Protocol tools over this process's
/// standard input and output (what <c>baton mcp</c> runs); <c>MapBaton</c> serves the same tools at <c>/mcp</c>.
/// </summary>
public static class BatonMcpServer
{
    /// <summary>
    /// Serves until standard input closes or <paramref name="cancellationToken"/> is cancelled. Standard output carries
    /// only the protocol; logs go to <paramref name="loggerFactory"/>. Runs still executing when it stops are interrupted,
    /// not cancelled: they stay in the store, resumable.
    /// </summary>
    /// <exception cref="Baton.Yaml.WorkflowFileException">A workflow file is missing or invalid: every problem.</exception>
    public static async Task RunStdioAsync(BatonServerOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var server = new BatonServer(Microsoft.Extensions.Options.Options.Create(options), loggerFactory);
        var mcpOptions = new McpServerOptions();
        WorkflowTools.Configure(mcpOptions, _ => server.Tools);
        await using var transport = new StdioServerTransport(mcpOptions, loggerFactory);
        await using var mcp = McpServer.Create(transport, mcpOptions, loggerFactory);
        await mcp.RunAsync(cancellationToken).ConfigureAwait(false);
    }
}
