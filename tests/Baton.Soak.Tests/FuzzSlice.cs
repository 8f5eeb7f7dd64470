using Baton.Soak.Fuzz;

namespace Baton.Soak.Tests;

/// <summary>The targets the CI slice fuzzes.</summary>
internal static class FuzzSlice
{
    /// <summary>Every target, <c>journal-rows</c> included: damaged rows are refused by name (<c>StoreFormatException</c>).</summary>
    public static IReadOnlyList<string> Targets { get; } = FuzzRunner.TargetNames;
}
