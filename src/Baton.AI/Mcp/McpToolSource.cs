using Microsoft.Extensions.AI;
using ModelContextProtocol;
using ModelContextProtocol.Client;

namespace Baton.AI;

/// <summary>
/// The tools of a Model Context Protocol server, started over stdio, as <see cref="AIFunction"/>s a model agent
/// uses like any other tool. Disposing it stops the server.
/// </summary>
public sealed class McpToolSource : IAsyncDisposable
{
    private readonly McpClient _client;

    private McpToolSource(string name, McpClient client, IReadOnlyList<AIFunction> tools)
    {
        Name = name;
        _client = client;
        Tools = tools;
    }

    /// <summary>The server's name.</summary>
    public string Name { get; }

    /// <summary>The server's tools, as the server describes them (name, description, JSON schema).</summary>
    public IReadOnlyList<AIFunction> Tools { get; }

    /// <summary>Starts the server, connects, and lists its tools.</summary>
    /// <exception cref="AgentException">The server could not be started or did not answer (fatal, code <c>mcp_unavailable</c>).</exception>
    public static async Task<McpToolSource> StartStdioAsync(McpStdioServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Command);
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = options.Name,
            Command = options.Command,
            Arguments = [.. options.Arguments],
            WorkingDirectory = options.WorkingDirectory,
            EnvironmentVariables = options.Environment?.ToDictionary(p => p.Key, p => (string?)p.Value),
        });
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.StartTimeout);
        McpClient? client = null;
        try
        {
            client = await McpClient.CreateAsync(transport, cancellationToken: timeout.Token).ConfigureAwait(false);
            var tools = await client.ListToolsAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
            return new McpToolSource(options.Name, client, [.. tools.Select(t => (AIFunction)new McpTool(options.Name, t))]);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (client is not null) await client.DisposeAsync().ConfigureAwait(false);
            var why = !CommandExists(options.Command) ? $"the command '{options.Command}' was not found (not a file, and not on PATH)"
                : ex is OperationCanceledException ? $"it did not answer within {options.StartTimeout}"
                : ex.Message;
            throw new AgentException(ErrorKind.Fatal, $"the MCP server '{options.Name}' ({options.Command}) could not be started: {why}", ex) { Code = "mcp_unavailable" };
        }
    }

    /// <summary>True when <paramref name="command"/> names a file, or a program on PATH (with a PATHEXT extension on Windows).</summary>
    private static bool CommandExists(string command)
    {
        if (command.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) || command.Contains(Path.AltDirectorySeparatorChar, StringComparison.Ordinal)) return File.Exists(command);
        var extensions = OperatingSystem.IsWindows() ? ["", .. (Environment.GetEnvironmentVariable("PATHEXT") ?? ".EXE;.CMD;.BAT").Split(';')] : new[] { "" };
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => extensions.Any(extension => File.Exists(Path.Combine(folder, command + extension))));
    }

    /// <summary>Stops the server.</summary>
    public ValueTask DisposeAsync() => _client.DisposeAsync();

    /// <summary>
    /// An MCP tool whose failures reach the model as tool errors: a result the server marks as an error, or a server
    /// that went away, becomes an exception the model agent feeds back, not a crash of the run.
    /// </summary>
    private sealed class McpTool(string server, McpClientTool tool) : DelegatingAIFunction(tool)
    {
        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            ModelContextProtocol.Protocol.CallToolResult result;
            try
            {
                result = await tool.CallAsync(arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is McpException or IOException or InvalidOperationException or ObjectDisposedException)
            {
                throw new AgentException(ErrorKind.Transient, $"the MCP server '{server}' failed to run '{tool.Name}': {ex.Message}", ex) { Code = "mcp_error" };
            }

            var text = string.Join("\n", result.Content.OfType<ModelContextProtocol.Protocol.TextContentBlock>().Select(c => c.Text));
            if (result.IsError == true) throw new InvalidOperationException($"tool '{tool.Name}' failed: {text}");
            return result.StructuredContent is { } structured ? structured : text;
        }
    }
}
