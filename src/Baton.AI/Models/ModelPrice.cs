namespace Baton.AI;

/// <summary>What a model costs, per million tokens, in the currency of your choice.</summary>
/// <param name="InputPerMillion">Price of a million input (prompt) tokens.</param>
/// <param name="OutputPerMillion">Price of a million output (completion) tokens.</param>
public sealed record ModelPrice(decimal InputPerMillion, decimal OutputPerMillion)
{
    /// <summary>The cost of some tokens.</summary>
    public decimal CostOf(long inputTokens, long outputTokens) =>
        (inputTokens * InputPerMillion + outputTokens * OutputPerMillion) / 1_000_000m;
}
