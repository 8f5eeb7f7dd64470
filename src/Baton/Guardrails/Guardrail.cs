namespace Baton;

/// <summary>Makes guardrails from a delegate or a judge agent.</summary>
public static class Guardrail
{
    /// <summary>A guardrail that passes when <paramref name="check"/> returns true for the value.</summary>
    public static IGuardrail Check(string message, Func<Payload, bool> check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return Check(message, (value, _, _) => ValueTask.FromResult(check(value)));
    }

    /// <summary>A guardrail that passes when <paramref name="check"/> returns true for the value (it may read the step's context).</summary>
    public static IGuardrail Check(string message, Func<Payload, IStepContext, CancellationToken, ValueTask<bool>> check)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        ArgumentNullException.ThrowIfNull(check);
        return new DelegateGuardrail(message, check);
    }

    /// <summary>
    /// A guardrail that asks <paramref name="judge"/> about the value, run as a child step of the checked step (journaled,
    /// so a resumed run does not ask again): it passes when the judge answers yes (also true, ok, valid, approved, or JSON
    /// <c>{ "approved": true }</c>). Any other answer fails it, and so does a judge that fails: a guardrail fails closed.
    /// </summary>
    public static IGuardrail Judge(IAgent judge, string message)
    {
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        return new JudgeGuardrail(judge, message);
    }

    private sealed class DelegateGuardrail(string message, Func<Payload, IStepContext, CancellationToken, ValueTask<bool>> check) : IGuardrail
    {
        public string Message => message;

        public async ValueTask<GuardrailVerdict> CheckAsync(GuardrailCheck value, CancellationToken cancellationToken) =>
            await check(value.Value, value.Context, cancellationToken).ConfigureAwait(false) ? GuardrailVerdict.Pass : GuardrailVerdict.Fail();
    }

    private sealed class JudgeGuardrail(IAgent judge, string message) : IGuardrail
    {
        public string Message => message;

        public async ValueTask<GuardrailVerdict> CheckAsync(GuardrailCheck check, CancellationToken cancellationToken)
        {
            var verdict = await check.Context.RunChildAsync($"guardrail-{check.Name}", judge, check.Value, cancellationToken).ConfigureAwait(false);
            if (verdict.Error is { } error) return GuardrailVerdict.Fail($"the judge '{judge.Name}' failed: {error.Message}");
            var (approved, reason) = RouteStep.ReadVerdict(verdict.Output);
            return approved ? GuardrailVerdict.Pass : GuardrailVerdict.Fail($"the judge '{judge.Name}' answered: {reason}");
        }
    }
}
