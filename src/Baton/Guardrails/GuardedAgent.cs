namespace Baton;

/// <summary>
/// An agent behind guardrails: its input is checked before it runs and its output before the step completes; a failing
/// check fails the step at once (fatal, code <c>guardrail</c>). Agents that can be asked again (a model agent) take
/// their guardrails themselves: see <see cref="IGuardrailAwareAgent"/>.
/// </summary>
public sealed class GuardedAgent : IAgent
{
    /// <summary>Puts <paramref name="inner"/> behind <paramref name="guardrails"/>.</summary>
    public GuardedAgent(IAgent inner, AgentGuardrails guardrails)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(guardrails);
        Inner = inner;
        Guardrails = guardrails;
    }

    /// <summary>The agent that runs when the input passes.</summary>
    public IAgent Inner { get; }

    /// <summary>Its guardrails.</summary>
    public AgentGuardrails Guardrails { get; }

    /// <inheritdoc/>
    public string Name => Inner.Name;

    /// <inheritdoc/>
    public async ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken)
    {
        if (await Guardrails.CheckInputAsync(Name, input, context, cancellationToken).ConfigureAwait(false) is { } refused) return AgentResult.Failure(refused);
        var result = await Inner.InvokeAsync(input, context, cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess || Guardrails.Output.Count == 0) return result;
        return await Guardrails.CheckOutputAsync(Name, result.Output, context, 1, cancellationToken).ConfigureAwait(false) is { } error
            ? AgentResult.Failure(error) with { Usage = result.Usage }
            : result;
    }
}
