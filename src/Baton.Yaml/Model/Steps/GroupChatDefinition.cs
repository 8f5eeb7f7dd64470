using Baton.Yaml.Expressions;

namespace Baton.Yaml.Model.Steps;

/// <summary><c>groupChat</c>: members take turns on one transcript.</summary>
/// <param name="Members">The members' agent names, in round-robin order.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record GroupChatDefinition(IReadOnlyList<string> Members, int Line, int Column) : StepDefinition(Line, Column)
{
    /// <summary>The agent picking each next speaker; null for round robin.</summary>
    public string? Manager { get; init; }

    /// <summary>The most turns.</summary>
    public int MaxTurns { get; init; } = 10;

    /// <summary>Ends the chat after a turn when true (sees <c>output</c>, the last message, and <c>turn</c>).</summary>
    public Expression? Until { get; init; }

    /// <summary>True when a member's failed turn is left out and the chat goes on (<c>onMemberError: continue</c>).</summary>
    public bool ContinueOnMemberError { get; init; }
}
