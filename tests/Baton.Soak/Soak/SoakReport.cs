using System.Collections.Concurrent;

namespace Baton.Soak.Soak;

/// <summary>What a soak did and found: its figures, and every failed check with the trial that reproduces it.</summary>
public sealed class SoakReport
{
    private long _kills, _midStep, _resumes, _trials, _effectRepeats, _executions;

    /// <summary>SIGKILLs that landed while the run was under way.</summary>
    public long Kills => Interlocked.Read(ref _kills);

    /// <summary>Kills that landed while a step had started and not committed (it ran again on resume).</summary>
    public long KillsMidStep => Interlocked.Read(ref _midStep);

    /// <summary>Processes that took a run over from a killed one (resumed it, or answered it).</summary>
    public long Resumes => Interlocked.Read(ref _resumes);

    /// <summary>Runs taken to their end and checked.</summary>
    public long Trials => Interlocked.Read(ref _trials);

    /// <summary>Side effects made again under a key the ledger had (steps in flight at a kill, run again): dropped by the key.</summary>
    public long EffectRepeats => Interlocked.Read(ref _effectRepeats);

    /// <summary>Step executions in all.</summary>
    public long Executions => Interlocked.Read(ref _executions);

    /// <summary>Trials by store and shape.</summary>
    public ConcurrentDictionary<string, int> TrialsByStoreAndShape { get; } = new(StringComparer.Ordinal);

    /// <summary>Every failed check: trial, store, shape and what was wrong.</summary>
    public ConcurrentQueue<string> Failures { get; } = new();

    /// <summary>How long it took.</summary>
    public TimeSpan Elapsed { get; internal set; }

    /// <summary>Why a store was not soaked, when it was not.</summary>
    public string? Skipped { get; internal set; }

    internal void Kill(bool midStep)
    {
        Interlocked.Increment(ref _kills);
        if (midStep) Interlocked.Increment(ref _midStep);
    }

    internal void Resume() => Interlocked.Increment(ref _resumes);

    internal void Finish(string store, string shape, long effectRepeats, long executions)
    {
        Interlocked.Increment(ref _trials);
        Interlocked.Add(ref _effectRepeats, effectRepeats);
        Interlocked.Add(ref _executions, executions);
        TrialsByStoreAndShape.AddOrUpdate($"{store}/{shape}", 1, (_, n) => n + 1);
    }

    /// <summary>The figures in a few lines.</summary>
    public override string ToString() =>
        $"kills: {Kills} (landed mid-step: {KillsMidStep}), resumes: {Resumes}, runs checked: {Trials}, step executions: {Executions}, " +
        $"effects repeated under their key and dropped: {EffectRepeats}, failures: {Failures.Count}, time: {Elapsed:hh\\:mm\\:ss}" +
        (Skipped is null ? "" : $"\nskipped: {Skipped}") +
        "\nruns by store/shape: " + string.Join(", ", TrialsByStoreAndShape.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));
}
