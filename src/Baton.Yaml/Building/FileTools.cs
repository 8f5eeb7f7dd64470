using Baton.AI;
using Baton.Yaml.Model;
using Microsoft.Extensions.AI;

namespace Baton.Yaml.Building;

/// <summary>
/// The file's <c>tools:</c> as Baton.AI tools, made once per built file: an agent tool is an <see cref="AgentTool"/>
/// over the named agent (made when first called, so an agent may offer itself), an MCP server a
/// <see cref="McpRunToolSource"/> (one server per run); either behind <see cref="ApprovalRequiredTool"/> when it needs approval.
/// </summary>
internal sealed class FileTools(WorkflowDocument document, Func<string, IAgent> agents)
{
    private readonly Dictionary<string, (AIFunction? Function, IToolSource? Source)> _made = new(StringComparer.Ordinal);

    public bool Has(string name) => document.Tools.ContainsKey(name);

    /// <summary>The tools and tool sources of the given file tool names.</summary>
    public (IReadOnlyList<AITool> Tools, IReadOnlyList<IToolSource> Sources) For(IEnumerable<string> names)
    {
        var tools = new List<AITool>();
        var sources = new List<IToolSource>();
        foreach (var name in names)
        {
            var (function, source) = Get(name);
            if (function is not null) tools.Add(function);
            if (source is not null) sources.Add(source);
        }

        return (tools, sources);
    }

    private (AIFunction?, IToolSource?) Get(string name)
    {
        if (_made.TryGetValue(name, out var made)) return made;
        var definition = document.Tools[name];
        if (definition.Mcp is { } mcp)
        {
            var server = new McpStdioServerOptions
            {
                Name = name,
                Command = mcp.Command,
                Arguments = mcp.Arguments,
                Environment = mcp.Environment,
                // Relative paths in the command's arguments mean what they mean beside the file.
                WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(document.File)),
            };
            made = (null, new McpRunToolSource(server, definition.ApprovalRequired, definition.ApprovalTimeout));
        }
        else
        {
            var agent = definition.Agent!;
            var description = definition.Description ?? document.Agents[agent].Description ?? agent;
            AIFunction tool = AgentTool.Create(new LazyAgent(agent, () => agents(agent)), description, name);
            made = (definition.ApprovalRequired ? new ApprovalRequiredTool(tool, definition.ApprovalTimeout) : tool, null);
        }

        _made[name] = made;
        return made;
    }

    /// <summary>An agent made when first called.</summary>
    private sealed class LazyAgent(string name, Func<IAgent> make) : IAgent
    {
        private IAgent? _agent;

        public string Name => name;

        public ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken)
        {
            var agent = Volatile.Read(ref _agent) ?? Interlocked.CompareExchange(ref _agent, make(), null) ?? _agent!;
            return agent.InvokeAsync(input, context, cancellationToken);
        }
    }
}
