using System.Collections.Concurrent;

namespace Baton.Soak.Soak;

/// <summary>What a cluster soak did and found: its figures, and every failed check with the run that shows it.</summary>
public sealed class ClusterSoakReport
{
    private readonly List<double> _takeovers = [];
    private readonly ConcurrentQueue<string> _giveUps = new();

    /// <summary>Worker processes killed with SIGKILL while holding a run under way.</summary>
    public int Kills { get; internal set; }

    /// <summary>Kills that landed while a step the killed worker had let go had not committed.</summary>
    public int KillsMidStep { get; internal set; }

    /// <summary>Runs taken to their end and checked.</summary>
    public int Runs { get; internal set; }

    /// <summary>Runs a kill interrupted (the one the kill aimed at and every other run the worker held).</summary>
    public int RunsInterrupted { get; internal set; }

    /// <summary>Side effects made again under a key the ledger had (steps in flight at a kill, run again): dropped by the key.</summary>
    public long EffectRepeats { get; internal set; }

    /// <summary>Step executions in all.</summary>
    public int Executions { get; internal set; }

    /// <summary>Runs by shape.</summary>
    public ConcurrentDictionary<string, int> RunsByShape { get; } = new(StringComparer.Ordinal);

    /// <summary>Every failed check: run, shape and what was wrong.</summary>
    public ConcurrentQueue<string> Failures { get; } = new();

    /// <summary>Why the cluster soak did not run, when it did not.</summary>
    public string? Skipped { get; internal set; }

    /// <summary>How long it took.</summary>
    public TimeSpan Elapsed { get; internal set; }

    /// <summary>For each interrupted run: ms from the kill to its next step starting on another worker, sorted.</summary>
    public IReadOnlyList<double> KillToNextStepMs
    {
        get
        {
            var sorted = _takeovers.ToList();
            sorted.Sort();
            return sorted;
        }
    }

    /// <summary>
    /// Times a <c>BatonCluster</c> call gave up following a run (a <see cref="TimeoutException"/> after its
    /// <c>RetryFor</c>: a call to a killed worker's grain timed out); the soak followed the run again and checked it.
    /// </summary>
    public int ClientGiveUps => _giveUps.Count;

    /// <summary>The runs and messages of <see cref="ClientGiveUps"/>.</summary>
    public IReadOnlyCollection<string> ClientGiveUpMessages => _giveUps;

    internal void ClientGaveUp(string runId, string message) => _giveUps.Enqueue($"run {runId}: {message.Split('\n')[0]}");

    internal void Takeover(TimeSpan elapsed) => _takeovers.Add(elapsed.TotalMilliseconds);

    /// <summary>The figures in a few lines.</summary>
    public override string ToString()
    {
        if (Skipped is not null) return $"cluster soak skipped: {Skipped}";
        var times = KillToNextStepMs;
        var median = times.Count == 0 ? 0 : times[times.Count / 2];
        var max = times.Count == 0 ? 0 : times[^1];
        return $"cluster kills: {Kills} (landed mid-step: {KillsMidStep}), runs interrupted: {RunsInterrupted}, runs checked: {Runs}, step executions: {Executions}, " +
               $"effects repeated under their key and dropped: {EffectRepeats}, failures: {Failures.Count}, time: {Elapsed:hh\\:mm\\:ss}\n" +
               $"BatonCluster calls that gave up following a run (TimeoutException after RetryFor; the run was followed again and checked): {ClientGiveUps}\n" +
               $"kill to the next step on another worker: median {median:0} ms, max {max:0} ms over {times.Count} runs\n" +
               "runs by shape: " + string.Join(", ", RunsByShape.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));
    }
}
