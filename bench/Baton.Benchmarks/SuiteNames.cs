using Baton.Benchmarks.Suites;

namespace Baton.Benchmarks;

/// <summary>Short names for <c>--suite</c>, so one suite can be run without a glob.</summary>
public static class SuiteNames
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["chain"] = nameof(ChainSuite),
        ["fanout"] = nameof(FanOutSuite),
        ["delayed"] = nameof(DelayedFanOutSuite),
        ["loop"] = nameof(LoopSuite),
        ["uneven"] = nameof(UnevenBranchesSuite),
        ["quota"] = nameof(QuotaSuite),
        ["durable"] = nameof(DurableSuite),
        ["resume"] = nameof(ResumeSuite),
        ["conversation"] = nameof(ConversationSuite),
        ["cluster"] = nameof(ClusterSuite),
        ["team"] = nameof(TeamSuite),
    };

    /// <summary>The suite class a short name stands for; an unknown name is taken as a class name.</summary>
    public static string Resolve(string name) => Names.TryGetValue(name, out var suite) ? suite : name;
}
