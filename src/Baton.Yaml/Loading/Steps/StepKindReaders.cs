namespace Baton.Yaml.Loading.Steps;

/// <summary>The step kinds a workflow file can write, by pattern key: adding a kind is adding a reader here.</summary>
internal static class StepKindReaders
{
    /// <summary>Every pattern reader, in the order messages list them.</summary>
    public static IReadOnlyList<IStepKindReader> Patterns { get; } =
    [
        new SequentialReader(),
        new ParallelReader(),
        new ForEachReader(),
        new RouteReader(),
        new StatesReader(),
        new VoteReader(),
        new AskReader(),
        new EmitReader(),
        new SetReader(),
        new GraphReader(),
        new GroupChatReader(),
        new HandoffReader(),
        new TeamReader(),
        new PlanReader(),
    ];

    /// <summary><c>{ agent: NAME }</c>: not a pattern, but read the same way.</summary>
    public static IStepKindReader Agent { get; } = new AgentStepReader();

    /// <summary>The pattern keys, in order.</summary>
    public static IReadOnlyList<string> PatternKeys { get; } = [.. Patterns.Select(p => p.Keyword)];

    private static readonly Dictionary<string, IStepKindReader> ByKeyword = Patterns.Append(Agent).ToDictionary(p => p.Keyword, StringComparer.Ordinal);

    /// <summary>The reader of a pattern key (or <c>agent</c>).</summary>
    public static bool TryGet(string keyword, out IStepKindReader reader) => ByKeyword.TryGetValue(keyword, out reader!);
}
