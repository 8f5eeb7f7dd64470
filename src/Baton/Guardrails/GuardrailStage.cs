namespace Baton;

/// <summary>Whether a guardrail checks an agent's input or its output.</summary>
public enum GuardrailStage
{
    /// <summary>The input, before the agent runs.</summary>
    Input,

    /// <summary>The output, before the step completes.</summary>
    Output,
}
