using System.Globalization;

namespace Baton;

/// <summary>
/// Where a scope's steps are in the run report: the path prefix of its steps (<c>parallel/first/</c>) and the path of
/// the step it is nested under. Made only for runs someone watches: paths are for their events.
/// </summary>
/// <param name="Prefix">What comes before a step id in the scope's paths: empty at the top.</param>
/// <param name="Parent">The enclosing step's path, or null at the top.</param>
internal sealed record ScopePaths(string Prefix, string? Parent)
{
    /// <summary>The run's own workflow.</summary>
    public static ScopePaths Top { get; } = new(string.Empty, null);

    /// <summary>The path of a step's <paramref name="visit"/>-th visit in this scope (<c>states/analyze#3</c>).</summary>
    public string Of(string stepId, int visit) =>
        visit < 2 ? string.Concat(Prefix, stepId) : string.Concat(Prefix, stepId, "#", visit.ToString(CultureInfo.InvariantCulture));

    /// <summary>The paths of a composite step's child scope: named (a branch, an item, a node) or its only child (null).</summary>
    public static ScopePaths? Under(string? stepPath, string? child) =>
        stepPath is null ? null : new ScopePaths(child is null ? stepPath + "/" : string.Concat(stepPath, "/", child, "/"), stepPath);
}
