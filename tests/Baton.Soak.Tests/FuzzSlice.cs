using Baton.Soak.Fuzz;

namespace Baton.Soak.Tests;

/// <summary>The targets the CI slice fuzzes.</summary>
internal static class FuzzSlice
{
    public static IReadOnlyList<string> Targets { get; } = FuzzRunner.TargetNames;
}
