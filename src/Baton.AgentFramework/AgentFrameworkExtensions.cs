using Microsoft.Agents.AI;

namespace Baton.AgentFramework;

/// <summary>Between Baton and Microsoft Agent Framework, both ways.</summary>
public static class AgentFrameworkExtensions
{
    /// <summary>The MAF agent as a Baton agent, its session kept in the run (see <see cref="AgentFrameworkAgent"/>).</summary>
    public static IAgent AsBatonAgent(this AIAgent agent, string? name = null) => new AgentFrameworkAgent(agent, name);

    /// <summary>The workflow as a MAF agent that runs it on <paramref name="runtime"/> (see <see cref="WorkflowAIAgent"/>).</summary>
    public static AIAgent AsAIAgent(this Workflow workflow, BatonRuntime runtime, string? name = null) => new WorkflowAIAgent(runtime, workflow, name);
}
