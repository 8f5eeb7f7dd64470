namespace Baton.AI;

/// <summary>How to start a Model Context Protocol server that speaks over stdio.</summary>
public sealed record McpStdioServerOptions
{
    /// <summary>A name for the server, used in messages.</summary>
    public required string Name { get; init; }

    /// <summary>The program to run (e.g. <c>npx</c>, <c>dotnet</c>, <c>uvx</c>).</summary>
    public required string Command { get; init; }

    /// <summary>Its arguments.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Its working directory; the current one when null.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Environment variables to set for it (secrets stay out of logs and journals).</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>How long starting it and listing its tools may take.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
