namespace Baton;

/// <summary>What a guardrail checks.</summary>
/// <param name="Value">The agent's input, or its output.</param>
/// <param name="Stage">Which of the two it is.</param>
/// <param name="Context">The step's context (a judge agent runs as a child step through it).</param>
/// <param name="Name">A name unique within the step for this check (<c>input-1</c>, <c>output-2</c>, <c>output-2-try2</c>): a judge's child step is named after it.</param>
public sealed record GuardrailCheck(Payload Value, GuardrailStage Stage, IStepContext Context, string Name);
