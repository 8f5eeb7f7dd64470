namespace Baton.Yaml.Model.Steps;

/// <summary><c>parallel</c>: branches at once, then a merge.</summary>
/// <param name="Branches">The branches by name (a list's branches are named by their step ids).</param>
/// <param name="Merge">How the results are merged.</param>
/// <param name="MaxParallel">Bound on branches at once; null for all.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record ParallelDefinition(IReadOnlyList<(string Name, StepDefinition Step)> Branches, MergeDefinition Merge, int? MaxParallel, int Line, int Column)
    : StepDefinition(Line, Column);
