namespace Baton;

/// <summary>
/// A check on an agent's input (before it runs) or output (before the step completes). A guardrail that fails stops
/// the step with a fatal error coded <c>guardrail</c>; a failing output guardrail of a model agent first asks the model
/// again with the message. Make one with <see cref="Guardrail.Check(string, Func{Payload, bool})"/> or <see cref="Guardrail.Judge"/>.
/// </summary>
public interface IGuardrail
{
    /// <summary>What the step's error (and a model asked again) is told when the check fails.</summary>
    string Message { get; }

    /// <summary>Checks a value. Throwing counts as failing: a guardrail fails closed.</summary>
    ValueTask<GuardrailVerdict> CheckAsync(GuardrailCheck check, CancellationToken cancellationToken);
}
