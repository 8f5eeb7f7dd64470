namespace Baton;

/// <summary>
/// The guardrails of one agent: input checks that stop its step before it runs, output checks that stop it after
/// (a model agent is first asked again with the failed guardrail's message). Every failure is a fatal error coded
/// <c>guardrail</c>, carrying the guardrail's message.
/// </summary>
public sealed record AgentGuardrails
{
    /// <summary>The error code of a step stopped by a guardrail.</summary>
    public const string ErrorCode = "guardrail";

    /// <summary>Checks of the input, in order, before the agent runs.</summary>
    public IReadOnlyList<IGuardrail> Input { get; init; } = [];

    /// <summary>Checks of the output, in order, before the step completes.</summary>
    public IReadOnlyList<IGuardrail> Output { get; init; } = [];

    /// <summary>True when there is no guardrail at all.</summary>
    public bool IsEmpty => Input.Count == 0 && Output.Count == 0;

    /// <summary>The first input guardrail that fails, as the step's error; null when every one passes.</summary>
    public ValueTask<StepError?> CheckInputAsync(string agent, Payload input, IStepContext context, CancellationToken cancellationToken) =>
        CheckAsync(Input, GuardrailStage.Input, agent, input, context, "", cancellationToken);

    /// <summary>
    /// The first output guardrail that fails, as the step's error (its message is what a model is told when asked
    /// again); null when every one passes. <paramref name="attempt"/> numbers the outputs checked in one step, so a
    /// judge asked about a second output is a child step of its own.
    /// </summary>
    public ValueTask<StepError?> CheckOutputAsync(string agent, Payload output, IStepContext context, int attempt, CancellationToken cancellationToken) =>
        CheckAsync(Output, GuardrailStage.Output, agent, output, context, attempt <= 1 ? "" : $"-try{attempt}", cancellationToken);

    private static async ValueTask<StepError?> CheckAsync(IReadOnlyList<IGuardrail> guardrails, GuardrailStage stage, string agent, Payload value, IStepContext context, string suffix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(context);
        var what = stage == GuardrailStage.Input ? "input" : "output";
        for (var i = 0; i < guardrails.Count; i++)
        {
            var guardrail = guardrails[i];
            GuardrailVerdict verdict;
            try
            {
                verdict = await guardrail.CheckAsync(new GuardrailCheck(value, stage, context, $"{what}-{i + 1}{suffix}"), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not RunSuspendedException)
            {
                // A check that cannot decide does not let the value through.
                verdict = GuardrailVerdict.Fail($"the check failed: {ex.Message}");
            }

            if (verdict.Passed) continue;
            var message = verdict.Reason is { Length: > 0 } reason ? $"{guardrail.Message} ({reason})" : guardrail.Message;
            return new StepError(ErrorKind.Fatal, $"{what} guardrail of '{agent}' failed: {message}") { Code = ErrorCode, Partial = stage == GuardrailStage.Output ? value : null };
        }

        return null;
    }
}
