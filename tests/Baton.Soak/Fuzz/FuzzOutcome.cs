namespace Baton.Soak.Fuzz;

/// <summary>What one input came to, when it broke no rule: accepted, or refused with a clear error.</summary>
public enum FuzzOutcome
{
    /// <summary>The input was taken (a valid file, a reply the agent used, a request served).</summary>
    Accepted,

    /// <summary>The input was refused with a named error (positioned, typed, a status code with a body).</summary>
    Refused,
}
