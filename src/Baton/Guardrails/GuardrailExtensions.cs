namespace Baton;

/// <summary>Puts agents behind guardrails.</summary>
public static class GuardrailExtensions
{
    /// <summary>
    /// The agent checked by <paramref name="guardrails"/>: an <see cref="IGuardrailAwareAgent"/> applies them itself
    /// (a model agent asks again when an output check fails), any other agent is wrapped in a <see cref="GuardedAgent"/>.
    /// </summary>
    public static IAgent WithGuardrails(this IAgent agent, AgentGuardrails guardrails)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(guardrails);
        if (guardrails.IsEmpty) return agent;
        return agent is IGuardrailAwareAgent aware ? aware.WithGuardrails(guardrails) : new GuardedAgent(agent, guardrails);
    }

    /// <summary>The agent with input and output checks given as delegates (each passes when it returns true).</summary>
    public static IAgent WithGuardrails(this IAgent agent, IEnumerable<(string Message, Func<Payload, bool> Check)>? input = null, IEnumerable<(string Message, Func<Payload, bool> Check)>? output = null) =>
        agent.WithGuardrails(new AgentGuardrails
        {
            Input = [.. (input ?? []).Select(g => Guardrail.Check(g.Message, g.Check))],
            Output = [.. (output ?? []).Select(g => Guardrail.Check(g.Message, g.Check))],
        });
}
