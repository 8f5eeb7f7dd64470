using Microsoft.Extensions.Compliance.Redaction;

namespace Baton.Compliance;

/// <summary>
/// Replaces any value with <c>[redacted]</c>: what Baton logs in place of content unless the host opts in. Unlike
/// erasing, a reader of the log sees that there was a value.
/// </summary>
public sealed class PlaceholderRedactor : Redactor
{
    /// <summary>What every value becomes.</summary>
    public const string Placeholder = "[redacted]";

    /// <summary>The shared instance.</summary>
    public static PlaceholderRedactor Instance { get; } = new();

    /// <inheritdoc/>
    public override int GetRedactedLength(ReadOnlySpan<char> input) => Placeholder.Length;

    /// <inheritdoc/>
    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        Placeholder.AsSpan().CopyTo(destination);
        return Placeholder.Length;
    }
}
