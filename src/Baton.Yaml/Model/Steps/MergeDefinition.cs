namespace Baton.Yaml.Model.Steps;

/// <summary>How the results of a <c>parallel</c> or a <c>foreach</c> become one output.</summary>
/// <param name="Name"><c>list</c>, <c>object</c>, <c>concat</c>, <c>vote</c> (with <paramref name="Vote"/>), or else the name of an agent that gets the list.</param>
/// <param name="Vote">The vote's settings, for <c>vote</c>.</param>
public sealed record MergeDefinition(string Name, VoteSettings? Vote = null)
{
    /// <summary>The default: a list in branch or item order.</summary>
    public static MergeDefinition List { get; } = new("list");
}
