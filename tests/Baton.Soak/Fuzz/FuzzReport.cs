using System.Collections.Concurrent;

namespace Baton.Soak.Fuzz;

/// <summary>What the fuzzer did: inputs, outcomes, time and peak memory per target, and every failure.</summary>
public sealed class FuzzReport
{
    /// <summary>Each target's figures, in the order they ran.</summary>
    public List<FuzzTargetFigures> Targets { get; } = [];

    /// <summary>Every failure: target, seed, index, what broke (a crash, a hang, a broken rule).</summary>
    public ConcurrentQueue<string> Failures { get; } = new();

    /// <summary>Inputs that threw an exception no rule allows.</summary>
    public int Crashes { get; internal set; }

    /// <summary>Inputs the watchdog stopped.</summary>
    public int Hangs { get; internal set; }

    /// <summary>How long it took.</summary>
    public TimeSpan Elapsed { get; internal set; }

    /// <summary>The process's peak working set, in bytes.</summary>
    public long PeakWorkingSet { get; internal set; }

    /// <summary>All the inputs given.</summary>
    public int Inputs => Targets.Sum(t => t.Inputs);

    /// <summary>The figures as a table.</summary>
    public override string ToString() =>
        "target               inputs   accepted  refused  failed  time      peak working set\n" +
        string.Join("\n", Targets.Select(t => $"{t.Name,-20} {t.Inputs,7} {t.Accepted,9} {t.Refused,8} {t.Failed,7}  {t.Elapsed.TotalSeconds,6:0.0} s  {t.PeakWorkingSet / 1048576.0,8:0} MB")) +
        $"\nall: {Inputs} inputs in {Elapsed.TotalSeconds:0.0} s, peak working set {PeakWorkingSet / 1048576.0:0} MB, crashes {Crashes}, hangs {Hangs}, failures {Failures.Count}";
}
