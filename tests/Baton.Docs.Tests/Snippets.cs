using System.Text.RegularExpressions;

namespace Baton.Docs.Tests;

/// <summary>The snippet markers of the pages: what each HTML comment above a code block means.</summary>
internal static partial class Snippets
{
    /// <summary>The declarations a fragment marker gives its block (<c>snippet: fragment(BatonRuntime runtime, Workflow workflow)</c>), or null when the block is not a fragment.</summary>
    public static IReadOnlyList<string>? FragmentContext(string? marker)
    {
        if (marker is null) return null;
        var match = FragmentMarker().Match(marker);
        if (!match.Success) return null;
        return match.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>The reason of a skip marker (<c>snippet: skip REASON</c>), or null when the block is not skipped.</summary>
    public static string? SkipReason(string? marker)
    {
        if (marker is null) return null;
        var match = SkipMarker().Match(marker);
        return match.Success ? match.Groups[1].Value.Trim() : null;
    }

    [GeneratedRegex(@"^snippet:\s*fragment\s*(?:\((.*)\))?\s*$")]
    private static partial Regex FragmentMarker();

    [GeneratedRegex(@"^snippet:\s*skip\b(.*)$")]
    private static partial Regex SkipMarker();
}
