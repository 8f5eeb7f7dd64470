using Microsoft.Extensions.AI;

namespace Baton.AI;

/// <summary>
/// The tools of a stdio MCP server, one server per run: started when a step of the run first asks for its tools,
/// shared by every step of that run, and stopped when the run's execution ends — succeeded, failed, cancelled,
/// suspended for a person or interrupted (a resumed run starts it again). Every tool it lists is offered under its own name.
/// </summary>
public sealed class McpRunToolSource : IToolSource
{
    private readonly McpStdioServerOptions _server;
    private readonly TimeSpan? _approvalTimeout;
    private readonly bool _approval;

    /// <summary>A source for <paramref name="server"/>.</summary>
    /// <param name="server">How to start the server.</param>
    /// <param name="approvalRequired">True when every call of its tools needs a person's approval (<see cref="ApprovalRequiredTool"/>).</param>
    /// <param name="approvalTimeout">How long a call waits for approval before it is refused; null waits for ever.</param>
    public McpRunToolSource(McpStdioServerOptions server, bool approvalRequired = false, TimeSpan? approvalTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        _server = server;
        _approval = approvalRequired;
        _approvalTimeout = approvalTimeout;
    }

    /// <inheritdoc/>
    public string Name => _server.Name;

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<AIFunction>> GetToolsAsync(IStepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var source = await context.RunScopedAsync($"mcp:{_server.Name}", token => McpToolSource.StartStdioAsync(_server, token), cancellationToken).ConfigureAwait(false);
        return _approval ? [.. source.Tools.Select(t => (AIFunction)new ApprovalRequiredTool(t, _approvalTimeout))] : source.Tools;
    }
}
