namespace Baton.Yaml.Expressions;

/// <summary>Why an expression does not parse, and where inside it (1-based line and column of the expression's text).</summary>
public sealed record ExpressionError(string Message, int Line, int Column);
