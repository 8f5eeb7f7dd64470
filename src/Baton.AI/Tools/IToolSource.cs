using Microsoft.Extensions.AI;

namespace Baton.AI;

/// <summary>
/// Tools that are known only once a run is under way (an MCP server the run starts): a <see cref="ModelAgent"/> asks
/// for them at the start of each step and offers them beside its fixed tools.
/// </summary>
public interface IToolSource
{
    /// <summary>A name for the source, used in messages.</summary>
    string Name { get; }

    /// <summary>The tools to offer in this step.</summary>
    /// <exception cref="AgentException">The tools cannot be had (an MCP server that does not start: code <c>mcp_unavailable</c>).</exception>
    ValueTask<IReadOnlyList<AIFunction>> GetToolsAsync(IStepContext context, CancellationToken cancellationToken);
}
