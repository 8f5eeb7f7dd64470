using System.Text.Json;
using Baton.AI.Planning;
using Baton.Yaml.Model;
using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>
/// `plan`: Baton.AI's planner (<see cref="Planner.Build"/>) over the file's agents and tools as skills, nested as one
/// step: the planner's model writes a plan (an invalid one goes back with every reason), the plan runs as a graph, and a
/// plan that fails while running is replaced up to <c>maxReplans</c> times. A name that is both a tool and an agent is
/// the tool (it may need approval: fail closed); an MCP server's tools are skills under their own names, known once the
/// run has started the server; a tool with <c>approval: required</c> asks before each call, as it does for a model.
/// </summary>
internal sealed class PlanKindBuilder : StepKindBuilder<PlanDefinition>
{
    /// <summary>An agent skill's arguments: its input, as the agent would get it as a step.</summary>
    private static readonly JsonElement AgentArguments = JsonDocument.Parse("""
        { "type": "object", "properties": { "input": { "description": "what the agent works on: text, or a JSON value" } }, "required": ["input"] }
        """).RootElement.Clone();

    protected override Step Build(WorkflowDocumentBuilder builder, PlanDefinition step)
    {
        var skills = new SkillRegistry();
        foreach (var name in step.Skills)
        {
            if (builder.Agents.IsTool(name))
            {
                var (tools, sources) = builder.Agents.ToolsNamed([name]);
                foreach (var tool in tools.OfType<Microsoft.Extensions.AI.AIFunction>()) skills.Add(tool);
                foreach (var source in sources) skills.Add(source);
                continue;
            }

            var definition = builder.Agents.Definition(name);
            skills.Add(name, Describe(definition), new SkillAgent(TeamKindBuilder.Named(builder, name)), AgentArguments);
        }

        var planner = Planner.Build(step.Id, builder.Agents.Client(step.Planner), skills, new PlannerOptions { MaxExecutionReplans = step.MaxReplans });
        return new AgentStep(planner.AsAgent(), step.Id);
    }

    private static string Describe(AgentDefinition agent) =>
        agent.Description ?? agent.Kind switch
        {
            AgentKind.Model when agent.Instructions is { } instructions => $"a model agent instructed: {instructions.Trim()}",
            AgentKind.Template => "renders a template over its input",
            _ => $"the agent '{agent.Name}'",
        };

    /// <summary>Runs a file's agent as a skill: the plan's <c>input</c> argument is the agent's input.</summary>
    private sealed class SkillAgent(IAgent agent) : IAgent
    {
        public string Name => agent.Name;

        public ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken)
        {
            var json = input.AsJson();
            var argument = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("input", out var value) ? value : json;
            var payload = argument.ValueKind == JsonValueKind.String ? Payload.FromText(argument.GetString()!) : Payload.FromJson(argument);
            return agent.InvokeAsync(payload, context, cancellationToken);
        }
    }
}
