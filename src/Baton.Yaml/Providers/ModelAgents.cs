using Baton.AI;
using Microsoft.Extensions.AI;

namespace Baton.Yaml.Providers;

/// <summary>Makes the model agents of workflow files with Baton.AI's <see cref="ModelAgent"/>.</summary>
public static class ModelAgents
{
    /// <summary>
    /// A factory whose agents may call the given tools by name (C# functions, MCP tools); a file naming a tool that is
    /// not among them is refused when it is built.
    /// </summary>
    public static ModelAgentFactory Create(IEnumerable<AIFunction>? tools = null)
    {
        var byName = (tools ?? []).ToDictionary(t => t.Name, StringComparer.Ordinal);
        return (definition, client, _) =>
        {
            var missing = definition.Tools.Where(t => !byName.ContainsKey(t)).ToArray();
            if (missing.Length > 0)
            {
                throw new InvalidOperationException($"agent '{definition.Name}' names tool(s) {string.Join(", ", missing.Select(t => $"'{t}'"))} that are not available: {(byName.Count == 0 ? "none are" : string.Join(", ", byName.Keys))}");
            }

            return new ModelAgent(definition.Name, client, new ModelAgentOptions
            {
                Instructions = definition.Instructions,
                Tools = [.. definition.Tools.Select(t => (AITool)byName[t])],
                MaxTurns = definition.MaxTurns,
                Output = definition.OutputSchema is { } schema ? OutputSchema.FromJson(schema, definition.Name) : null,
            });
        };
    }
}
