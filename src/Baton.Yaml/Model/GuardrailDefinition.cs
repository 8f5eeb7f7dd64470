using Baton.Yaml.Expressions;

namespace Baton.Yaml.Model;

/// <summary>One guardrail of an agent: an expression that must be true, or a judge agent that must answer yes.</summary>
/// <param name="Message">What the step's error says when it fails (and a model asked again is told).</param>
public sealed record GuardrailDefinition(string Message)
{
    /// <summary>The expression (<c>check:</c>), seeing <c>input</c> or <c>output</c>; null for a judge.</summary>
    public Expression? Check { get; init; }

    /// <summary>The judge agent (<c>agent:</c>); null for an expression.</summary>
    public string? Agent { get; init; }
}
