using Baton.Yaml.Expressions;

namespace Baton.Yaml.Model.Steps;

/// <summary><c>foreach</c>: a step per item of an expression's array, results in item order.</summary>
/// <param name="Items">The expression giving the array.</param>
/// <param name="Do">The step each item runs (the item is its input).</param>
/// <param name="Merge">How the results are merged.</param>
/// <param name="MaxParallel">Bound on items at once; null for all.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record ForEachDefinition(Expression Items, StepDefinition Do, MergeDefinition Merge, int? MaxParallel, int Line, int Column)
    : StepDefinition(Line, Column);
