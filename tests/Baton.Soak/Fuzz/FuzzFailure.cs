namespace Baton.Soak.Fuzz;

/// <summary>An input broke a rule: the check that failed, and the seed and index that make the input again.</summary>
public sealed class FuzzFailure(string message) : Exception(message)
{
}
