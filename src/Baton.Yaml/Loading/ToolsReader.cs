using Baton.Yaml.Model;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading;

/// <summary>
/// Reads the top-level <c>tools:</c> map: each name an MCP server (<c>mcp: { command, args, env }</c>) or an agent as a
/// tool (<c>agent: NAME</c>, <c>description</c>), either with <c>approval: required</c> or <c>never</c> and the approval's
/// <c>timeout</c>. Agents named are checked once every agent is read.
/// </summary>
internal static class ToolsReader
{
    private static readonly string[] McpToolKeys = ["mcp", "approval", "timeout", "description"];
    private static readonly string[] AgentToolKeys = ["agent", "description", "approval", "timeout"];
    private static readonly string[] McpKeys = ["command", "args", "env"];
    private static readonly string[] Approvals = ["required", "never"];

    public static Dictionary<string, ToolDefinition> Read(YamlNodes nodes, References references, YamlNode node)
    {
        var tools = new Dictionary<string, ToolDefinition>(StringComparer.Ordinal);
        if (nodes.Mapping(node, "'tools'") is not { } mapping) return tools;
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (nodes.Name(keyNode, "a tool's name") is not { } name || nodes.Mapping(value, $"tool '{name}'") is not { } spec) continue;
            if (StepKey.NameProblem(name) is { } problem)
            {
                nodes.Diagnostics.Add(keyNode, $"tool name '{name}' is not valid: {problem}");
                continue;
            }

            var isMcp = spec.Children.ContainsKey(new YamlScalarNode("mcp"));
            if (!isMcp && !spec.Children.ContainsKey(new YamlScalarNode("agent")))
            {
                nodes.Diagnostics.Add(spec, $"tool '{name}' needs 'mcp' (an MCP server) or 'agent' (an agent as a tool)");
                continue;
            }

            var keys = nodes.Keys(spec, $"tool '{name}'", isMcp ? McpToolKeys : AgentToolKeys);
            var tool = new ToolDefinition(name)
            {
                Description = keys.TryGetValue("description", out var d) ? nodes.Text(d.Value, "'description'") : null,
                ApprovalRequired = keys.TryGetValue("approval", out var a) && Approval(nodes, a.Value),
                ApprovalTimeout = keys.TryGetValue("timeout", out var t) ? nodes.Duration(t.Value, "'timeout'") : null,
            };
            if (tool.ApprovalTimeout is not null && !tool.ApprovalRequired) nodes.Diagnostics.Add(t.Key, $"tool '{name}' has a 'timeout' for its approval but no 'approval: required'");
            if (isMcp)
            {
                if (ReadMcp(nodes, keys["mcp"].Value, name) is { } server) tools[name] = tool with { Mcp = server };
            }
            else if (nodes.Text(keys["agent"].Value, "'agent'") is { } agent)
            {
                references.Agent(keys["agent"].Value, agent);
                tools[name] = tool with { Agent = agent };
            }
        }

        return tools;
    }

    /// <summary>Checks each agent tool has a description, its own or its agent's.</summary>
    public static void CheckDescriptions(YamlNodes nodes, YamlNode node, IReadOnlyDictionary<string, ToolDefinition> tools, IReadOnlyDictionary<string, AgentDefinition> agents)
    {
        if (node is not YamlMappingNode mapping) return;
        foreach (var (keyNode, _) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } name } || !tools.TryGetValue(name, out var tool) || tool.Agent is not { } agent) continue;
            if (tool.Description is null && agents.GetValueOrDefault(agent)?.Description is null)
            {
                nodes.Diagnostics.Add(keyNode, $"tool '{name}' needs a 'description' (what the model is told it does), or its agent '{agent}' one");
            }
        }
    }

    private static bool Approval(YamlNodes nodes, YamlNode node)
    {
        var text = nodes.Text(node, "'approval'");
        if (text is null) return true; // fail closed while the file is refused anyway
        if (Approvals.Contains(text, StringComparer.Ordinal)) return text == "required";
        nodes.Diagnostics.Add(node, $"'approval' is 'required' or 'never', not '{text}'{DidYouMean.For(text, Approvals)}");
        return true;
    }

    private static McpServerDefinition? ReadMcp(YamlNodes nodes, YamlNode node, string tool)
    {
        if (nodes.Mapping(node, $"'mcp' of tool '{tool}'") is not { } mcp) return null;
        var keys = nodes.Keys(mcp, $"'mcp' of tool '{tool}'", McpKeys);
        if (!keys.TryGetValue("command", out var c))
        {
            nodes.Diagnostics.Add(mcp, $"'mcp' of tool '{tool}' needs a 'command' (the program that serves MCP over stdio)");
            return null;
        }

        var command = nodes.Text(c.Value, "'command'");
        if (command is null) return null;
        var arguments = keys.TryGetValue("args", out var a) && nodes.Sequence(a.Value, "'args'") is { } list
            ? list.Children.Select(x => nodes.Text(x, "an argument")).OfType<string>().ToArray()
            : [];
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (keys.TryGetValue("env", out var e) && nodes.Mapping(e.Value, "'env'") is { } env)
        {
            foreach (var (nameNode, valueNode) in env.Children)
            {
                if (nodes.Text(nameNode, "an environment variable's name") is { } name && Secrets.Resolve(nodes, valueNode, $"'env.{name}'") is { } value) environment[name] = value;
            }
        }

        return new McpServerDefinition(command) { Arguments = arguments, Environment = environment };
    }
}
