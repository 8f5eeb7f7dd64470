namespace Baton.Yaml.Model;

/// <summary>An agent's <c>guardrails: { input: [...], output: [...] }</c>.</summary>
public sealed record GuardrailsDefinition
{
    /// <summary>Checks of the input, before the agent runs.</summary>
    public IReadOnlyList<GuardrailDefinition> Input { get; init; } = [];

    /// <summary>Checks of the output, before the step completes.</summary>
    public IReadOnlyList<GuardrailDefinition> Output { get; init; } = [];
}
