using Baton.Yaml.Model;
using Microsoft.Extensions.AI;

namespace Baton.Yaml.Providers;

/// <summary>Makes the agent for a model agent definition, given its model's chat client.</summary>
/// <param name="definition">The agent as the file defines it (instructions, tools, output schema, max turns).</param>
/// <param name="client">The chat client of the model it names.</param>
/// <param name="template">Renders a template of the file over the step's input and the run state.</param>
public delegate IAgent ModelAgentFactory(AgentDefinition definition, IChatClient client, Func<string, Payload, IRunStateView, string> template);
