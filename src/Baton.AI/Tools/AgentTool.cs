using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Baton.AI;

/// <summary>
/// Another agent (a model agent, a function, a whole workflow) offered to a model as a tool: the model calls it with a
/// text or JSON argument <c>input</c> and gets the agent's output. Called by a <see cref="ModelAgent"/>, it runs as a
/// child step of the calling step in the same durable run — journaled and reported, so a resumed run does not run a
/// completed call again.
/// </summary>
public sealed class AgentTool : AIFunction
{
    private static readonly JsonElement Schema = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": { "input": { "description": "What the agent is asked: text, or a JSON value." } },
          "required": ["input"]
        }
        """).RootElement.Clone();

    private AgentTool(IAgent agent, string name, string description)
    {
        Agent = agent;
        Name = name;
        Description = description;
    }

    /// <summary>The agent the tool calls.</summary>
    public IAgent Agent { get; }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override string Description { get; }

    /// <inheritdoc/>
    public override JsonElement JsonSchema => Schema;

    /// <summary>The agent as a tool.</summary>
    /// <param name="agent">The agent it calls (<see cref="Workflow.AsAgent"/> for a workflow).</param>
    /// <param name="description">What it does, for the model.</param>
    /// <param name="name">The tool's name; the agent's by default.</param>
    public static AgentTool Create(IAgent agent, string description, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        name ??= agent.Name;
        StepKey.CheckName(name, "a tool's name", nameof(name));
        return new AgentTool(agent, name, description);
    }

    /// <summary>The agent's input from the call's arguments: <c>input</c> as text, or as JSON when it is not a string.</summary>
    public static Payload InputOf(IEnumerable<KeyValuePair<string, object?>>? arguments)
    {
        var value = arguments?.FirstOrDefault(a => a.Key == "input").Value;
        return value switch
        {
            null => arguments?.Any() == true ? Payload.From(arguments.ToDictionary(a => a.Key, a => a.Value)) : Payload.Empty,
            string text => Payload.FromText(text),
            JsonElement { ValueKind: JsonValueKind.String } json => Payload.FromText(json.GetString()!),
            JsonElement json => Payload.FromJson(json),
            _ => Payload.From(value),
        };
    }

    /// <summary>
    /// Runs the agent. Inside a run the calling step's <see cref="IStepContext"/> must be in the arguments' context
    /// (a <see cref="ModelAgent"/> puts it there): the agent then runs as a journaled child step.
    /// </summary>
    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        if (arguments.Context?.TryGetValue(typeof(IStepContext), out var found) != true || found is not IStepContext context)
        {
            throw new InvalidOperationException($"the agent tool '{Name}' runs inside a step: call it from a model agent");
        }

        var result = await context.RunChildAsync($"tool-{Name}", Agent, InputOf(arguments), cancellationToken).ConfigureAwait(false);
        if (result.Error is { } error) throw new AgentException(error.Kind, $"agent '{Agent.Name}' failed: {error.Message}") { Code = error.Code };
        return ToolResults.From(result.Output);
    }
}
