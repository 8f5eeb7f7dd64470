namespace Baton.Yaml.Model;

/// <summary>How to start an MCP server over stdio (<c>mcp: { command, args, env }</c>).</summary>
/// <param name="Command">The program.</param>
public sealed record McpServerDefinition(string Command)
{
    /// <summary>Its arguments.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Environment variables set for it (values may come from <c>${env.NAME}</c>: secrets, never shown).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}
