namespace Baton.AI;

/// <summary>What the scripted model replies and how it misbehaves: the <c>scripted</c> provider of a workflow file.</summary>
public sealed class ScriptedModelOptions
{
    /// <summary>Replies used in order, one per call that is not a fault; the last repeats.</summary>
    public IList<ScriptedReply> Replies { get; init; } = [];

    /// <summary>Rules tried in order before <see cref="Replies"/>; the first that matches gives the reply.</summary>
    public IList<ScriptedRule> Rules { get; init; } = [];

    /// <summary>How long each call takes, on <see cref="TimeProvider"/>.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Calls that fail as a provider would.</summary>
    public IList<ScriptedFault> Faults { get; init; } = [];

    /// <summary>The clock for <see cref="Delay"/>; the system clock when null.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>The model id the responses carry.</summary>
    public string ModelId { get; init; } = "scripted";

    /// <summary>How many runs' call counts are kept before the least recently used are forgotten.</summary>
    public int MaxTrackedRuns { get; init; } = 10_000;
}
