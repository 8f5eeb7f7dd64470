namespace Baton.Yaml.Model.Steps;

/// <summary><c>ask</c>: human input, <c>ask: PROMPT</c> or <c>ask: { prompt, choices, timeout }</c>.</summary>
/// <param name="Prompt">The prompt template.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record AskDefinition(string Prompt, int Line, int Column) : StepDefinition(Line, Column)
{
    /// <summary>The answers allowed (any other is refused and the run keeps waiting); empty for any answer.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>How long to wait before the step fails with <c>human_timeout</c>; null waits for ever.</summary>
    public TimeSpan? AnswerTimeout { get; init; }
}
