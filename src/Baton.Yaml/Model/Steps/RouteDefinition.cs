using Baton.Yaml.Expressions;

namespace Baton.Yaml.Model.Steps;

/// <summary><c>route</c>: manager-worker — classify, try the route's specialists in order, validate.</summary>
/// <param name="Routes">The specialists per route key, tried in order.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record RouteDefinition(IReadOnlyList<(string Key, IReadOnlyList<StepDefinition> Specialists)> Routes, int Line, int Column)
    : StepDefinition(Line, Column)
{
    /// <summary>The classifier agent (else <see cref="ClassifyExpression"/>).</summary>
    public string? ClassifyAgent { get; init; }

    /// <summary>The classifier as an expression.</summary>
    public Expression? ClassifyExpression { get; init; }

    /// <summary>The key used when the classifier names none.</summary>
    public string? Default { get; init; }

    /// <summary>The validator agent.</summary>
    public string? ValidateAgent { get; init; }

    /// <summary>The validator as an expression.</summary>
    public Expression? ValidateExpression { get; init; }

    /// <summary>Specialists tried at most.</summary>
    public int MaxAttempts { get; init; } = 2;
}
