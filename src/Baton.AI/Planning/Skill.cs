using System.Text.Json;

namespace Baton.AI.Planning;

/// <summary>
/// Something a planner may use in a plan: a name, what it does, the JSON schema its arguments
/// must satisfy, and the agent that runs it (its input is the arguments as a JSON object).
/// </summary>
public sealed class Skill
{
    internal Skill(string name, string description, JsonElement argumentsSchema, IAgent agent)
    {
        Name = name;
        Description = description;
        ArgumentsSchema = argumentsSchema;
        Agent = agent;
    }

    /// <summary>The name plans use; unique in its registry.</summary>
    public string Name { get; }

    /// <summary>What the skill does, as the planning model reads it.</summary>
    public string Description { get; }

    /// <summary>The JSON schema a plan step's <c>args</c> must satisfy.</summary>
    public JsonElement ArgumentsSchema { get; }

    /// <summary>Runs the skill: its input is the step's arguments (references substituted) as a JSON object.</summary>
    public IAgent Agent { get; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
