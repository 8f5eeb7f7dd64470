namespace Baton;

/// <summary>A guardrail's answer.</summary>
/// <param name="Passed">True when the value may go on.</param>
/// <param name="Reason">Why it failed beyond the guardrail's message (a judge's explanation, the judge's own failure), if known.</param>
public readonly record struct GuardrailVerdict(bool Passed, string? Reason = null)
{
    /// <summary>The value may go on.</summary>
    public static GuardrailVerdict Pass { get; } = new(true);

    /// <summary>The value may not go on.</summary>
    public static GuardrailVerdict Fail(string? reason = null) => new(false, reason);
}
