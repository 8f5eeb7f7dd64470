using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;
using Baton.Benchmarks.Suites;

namespace Baton.Benchmarks;

/// <summary>
/// The figures the targets are stated in, derived from one run's summaries: per-step overhead
/// and bytes, and the ratios between Baton and MAF. Every ratio compares figures of the same run.
/// </summary>
public static class Targets
{
    /// <summary>Writes the derived figures and whether each target is met; skips what the run did not measure.</summary>
    public static string Describe(IEnumerable<Summary> summaries)
    {
        var reports = summaries.SelectMany(s => s.Reports).Where(r => r.ResultStatistics is not null).ToList();
        var text = new StringBuilder();
        text.AppendLine("| figure | Baton | MAF Lockstep | MAF Default | target | met |");
        text.AppendLine("| --- | ---: | ---: | ---: | --- | --- |");

        Figure? Find(string suite, string side, string? parameter = null, int value = 0)
        {
            var report = reports.FirstOrDefault(r =>
                r.BenchmarkCase.Descriptor.Type.Name == suite
                && r.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\'') == side
                && (parameter is null || Equals(r.BenchmarkCase.Parameters[parameter], value)));
            return report is null ? null : new Figure(report.ResultStatistics!.Mean, report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0);
        }

        // Per step: a 100-step chain less the raw floor, over 100.
        var raw = Find(nameof(ChainSuite), Suite.Raw, "Length", 100);
        var chain = Sides(side => Find(nameof(ChainSuite), side, "Length", 100));
        if (raw is not null && chain.Baton is not null)
        {
            double Step(Figure f) => (f.Nanoseconds - raw.Nanoseconds) / 100;
            double Bytes(Figure f) => (f.Bytes - raw.Bytes) / 100.0;
            var batonStep = Step(chain.Baton);
            Row(text, "overhead per step (chain-100 − raw) / 100", chain, f => Time(Step(f)), "Baton < 400 ns", batonStep < 400);
            Row(text, "× MAF / Baton per-step overhead", chain, f => Ratio(Step(f) / batonStep), "MAF ≥ 10× Baton", Min(chain, f => Step(f) / batonStep) >= 10, baton: "1×");
            if (Find(nameof(ChainSuite), Suite.BatonNoStore, "Length", 100) is { } noStore)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| diagnostic: overhead per step on a store that keeps nothing | {Time(Step(noStore))} | | | Baton < 400 ns | {(Step(noStore) < 400 ? "(met)" : "(not met)")} |");
                text.AppendLine(CultureInfo.InvariantCulture, $"| diagnostic: × MAF / Baton per-step overhead on a store that keeps nothing | 1× | {(chain.Lockstep is null ? "—" : Ratio(Step(chain.Lockstep) / Step(noStore)))} | {(chain.Default is null ? "—" : Ratio(Step(chain.Default) / Step(noStore)))} | MAF ≥ 10× Baton | |");
            }

            var batonBytes = Bytes(chain.Baton);
            Row(text, "bytes per step (chain-100 − raw) / 100", chain, f => Bytes(f).ToString("N0", CultureInfo.InvariantCulture) + " B", "—", null);
            Row(text, "× MAF / Baton bytes per step", chain, f => Ratio(Bytes(f) / batonBytes), "MAF ≥ 5× Baton", Min(chain, f => Bytes(f) / batonBytes) >= 5, baton: "1×");
        }

        var fan = Sides(side => Find(nameof(FanOutSuite), side, "Width", 1000));
        if (fan.Baton is not null)
        {
            Row(text, "fan-out 1000 no-op, mean", fan, f => Time(f.Nanoseconds), "—", null);
            Row(text, "× MAF / Baton fan-out 1000 time", fan, f => Ratio(f.Nanoseconds / fan.Baton.Nanoseconds), "MAF ≥ 25× Baton", Min(fan, f => f.Nanoseconds / fan.Baton.Nanoseconds) >= 25, baton: "1×");
        }

        var delayed = Sides(side => Find(nameof(DelayedFanOutSuite), side));
        if (delayed.Baton is not null)
        {
            var ideal = Shapes.Workload.WorkerDelay.TotalMilliseconds * 1e6;
            Row(text, "fan-out 1000 × 20 ms, mean / 20 ms", delayed, f => Ratio(f.Nanoseconds / ideal), "Baton ≤ 1.25×", delayed.Baton.Nanoseconds / ideal <= 1.25);
        }

        // Ideal 30 ms; on a box whose timers overshoot, the raw Task.WhenAll floor is the fair "~30 ms".
        var uneven = Sides(side => Find(nameof(UnevenBranchesSuite), side));
        var unevenRaw = Find(nameof(UnevenBranchesSuite), Suite.Raw);
        if (uneven.Baton is not null && unevenRaw is not null)
        {
            Row(text, "uneven branches makespan", uneven, f => Time(f.Nanoseconds), "Baton ~30 ms, not ~50 (lock-step)", null);
            var lockStep = Min(uneven, f => f.Nanoseconds);
            Row(text, $"uneven: × raw Task.WhenAll floor ({Time(unevenRaw.Nanoseconds)})", uneven, f => Ratio(f.Nanoseconds / unevenRaw.Nanoseconds),
                "Baton ≤ 1.10× floor and < 0.8× MAF", uneven.Baton.Nanoseconds <= 1.10 * unevenRaw.Nanoseconds && uneven.Baton.Nanoseconds < 0.8 * lockStep);
        }

        var loop = Sides(side => Find(nameof(LoopSuite), side));
        var loopRaw = Find(nameof(LoopSuite), Suite.Raw);
        if (loop.Baton is not null && loopRaw is not null)
        {
            var batonIteration = (loop.Baton.Nanoseconds - loopRaw.Nanoseconds) / Shapes.Workload.LoopIterations;
            Row(text, "loop: overhead per iteration (2 steps)", loop, f => Time((f.Nanoseconds - loopRaw.Nanoseconds) / Shapes.Workload.LoopIterations), "Baton ≤ 1 µs", batonIteration <= 1000);
            if (Find(nameof(LoopSuite), Suite.BatonNoStore) is { } loopNoStore)
            {
                var perIteration = (loopNoStore.Nanoseconds - loopRaw.Nanoseconds) / Shapes.Workload.LoopIterations;
                text.AppendLine(CultureInfo.InvariantCulture, $"| diagnostic: loop overhead per iteration on a store that keeps nothing | {Time(perIteration)} | | | Baton ≤ 1 µs | {(perIteration <= 1000 ? "(met)" : "(not met)")} |");
            }
        }

        return text.ToString();
    }

    private sealed record Figure(double Nanoseconds, long Bytes);

    private sealed record SideFigures(Figure? Baton, Figure? Lockstep, Figure? Default);

    private static SideFigures Sides(Func<string, Figure?> find) => new(find(Suite.Baton), find(Suite.MafLockstep), find(Suite.MafDefault));

    private static double Min(SideFigures sides, Func<Figure, double> value) =>
        new[] { sides.Lockstep, sides.Default }.Where(f => f is not null).Select(f => value(f!)).DefaultIfEmpty(double.NaN).Min();

    private static void Row(StringBuilder text, string figure, SideFigures sides, Func<Figure, string> format, string target, bool? met, string? baton = null)
    {
        string Cell(Figure? f) => f is null ? "—" : format(f);
        var verdict = met switch { true => "**met**", false => "**not met**", null => "" };
        text.AppendLine(CultureInfo.InvariantCulture, $"| {figure} | {baton ?? Cell(sides.Baton)} | {Cell(sides.Lockstep)} | {Cell(sides.Default)} | {target} | {verdict} |");
    }

    private static string Ratio(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "×";

    private static string Time(double nanoseconds) => nanoseconds switch
    {
        >= 1e6 => (nanoseconds / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " ms",
        >= 1e3 => (nanoseconds / 1e3).ToString("0.00", CultureInfo.InvariantCulture) + " µs",
        _ => nanoseconds.ToString("0", CultureInfo.InvariantCulture) + " ns",
    };
}
