namespace Baton;

/// <summary>
/// An agent that applies guardrails itself, because it can do better than fail at once: a model agent asks its model
/// again with a failed output guardrail's message. <see cref="GuardrailExtensions.WithGuardrails(IAgent, AgentGuardrails)"/> uses it when an agent has it.
/// </summary>
public interface IGuardrailAwareAgent : IAgent
{
    /// <summary>This agent, checked by <paramref name="guardrails"/> (added to any it has).</summary>
    IAgent WithGuardrails(AgentGuardrails guardrails);
}
