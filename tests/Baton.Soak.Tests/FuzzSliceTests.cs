using Baton.Soak.Fuzz;
using Xunit.Abstractions;

namespace Baton.Soak.Tests;

/// <summary>
/// The CI slice of the fuzzer: 5,000 inputs (fixed seed) through the fuzzer's own code and targets, each under the
/// watchdog: no crash, no hang, no broken rule.
/// </summary>
public sealed class FuzzSliceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Five_thousand_hostile_inputs_give_results_or_named_errors()
    {
        var report = await FuzzRunner.RunAsync(new FuzzOptions
        {
            Seed = 20261202,
            Inputs = 5000,
            Targets = FuzzSlice.Targets,
            // A hang guard far above a real input's time on a loaded machine (milliseconds), not a benchmark.
            Timeout = TimeSpan.FromSeconds(30),
            Log = output.WriteLine,
        });
        output.WriteLine(report.ToString());

        Assert.Equal(0, report.Hangs);
        Assert.Equal(0, report.Crashes);
        Assert.True(report.Failures.IsEmpty, string.Join("\n", report.Failures.Take(10)));
        Assert.Equal(5000, report.Inputs);
        // Both outcomes occur for every target: the inputs reach past the first check.
        foreach (var target in report.Targets) Assert.True(target.Accepted > 0 && target.Refused > 0, $"{target.Name}: {target.Accepted} accepted, {target.Refused} refused");
    }
}
