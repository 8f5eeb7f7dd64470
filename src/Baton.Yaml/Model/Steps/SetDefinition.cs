using Baton.Yaml.Expressions;

namespace Baton.Yaml.Model.Steps;

/// <summary><c>set</c>: write run state; the output passes the input through.</summary>
/// <param name="Assignments">State name and expression, in file order.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record SetDefinition(IReadOnlyList<(string Name, Expression Value)> Assignments, int Line, int Column) : StepDefinition(Line, Column);
