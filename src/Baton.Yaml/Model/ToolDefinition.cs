namespace Baton.Yaml.Model;

/// <summary>A named tool of a file (<c>tools:</c>): an MCP server's tools, or an agent called as a tool.</summary>
/// <param name="Name">The tool's name (for an MCP server, the name agents list to get every tool it offers).</param>
public sealed record ToolDefinition(string Name)
{
    /// <summary>The MCP server to start over stdio, for an MCP tool; null for an agent tool.</summary>
    public McpServerDefinition? Mcp { get; init; }

    /// <summary>The agent called, for an agent tool.</summary>
    public string? Agent { get; init; }

    /// <summary>What the tool does, for the model (an agent tool's, else its agent's description).</summary>
    public string? Description { get; init; }

    /// <summary>True when each call needs a person's approval (<c>approval: required</c>).</summary>
    public bool ApprovalRequired { get; init; }

    /// <summary>How long a call waits for its approval before it is refused; null waits for ever.</summary>
    public TimeSpan? ApprovalTimeout { get; init; }
}
