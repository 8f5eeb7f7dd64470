namespace Baton;

/// <summary>Tokens and money a step or a run spent.</summary>
/// <param name="InputTokens">Tokens sent to models.</param>
/// <param name="OutputTokens">Tokens models produced.</param>
/// <param name="Cost">Cost in the currency the model prices are written in.</param>
public readonly record struct Usage(long InputTokens, long OutputTokens, decimal Cost)
{
    /// <summary>No usage.</summary>
    public static Usage None => default;

    /// <summary>Total tokens, in and out.</summary>
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>Adds two usages.</summary>
    public static Usage operator +(Usage a, Usage b) => new(a.InputTokens + b.InputTokens, a.OutputTokens + b.OutputTokens, a.Cost + b.Cost);
}
