using Baton.CrashHost;
using Baton.Soak.Soak;
using Xunit.Abstractions;

namespace Baton.Soak.Tests;

/// <summary>
/// The CI slice of the soak: 30 SIGKILLs across the patterns through the soak's own code (fixed seed), each run resumed
/// in new processes and checked against an uninterrupted run — output, no completed step re-run, whole journals, every
/// side effect exactly once. PostgreSQL too when BATON_TEST_POSTGRES names a server.
/// </summary>
public sealed class SoakSliceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Thirty_kills_across_the_patterns_resume_to_the_uninterrupted_outcome()
    {
        var postgres = Environment.GetEnvironmentVariable(CrashStores.PostgresVariable);
        var report = await SoakRunner.RunAsync(new SoakOptions
        {
            Seed = 20261202,
            Kills = 30,
            Parallel = 2,
            Shapes = CrashWorkflows.AllShapes.ToArray(),
            Postgres = string.IsNullOrWhiteSpace(postgres) ? null : postgres,
            MaxFailures = 1,
            Log = output.WriteLine,
        });
        output.WriteLine(report.ToString());

        Assert.True(report.Failures.IsEmpty, string.Join("\n", report.Failures));
        Assert.True(report.Kills >= 30, $"only {report.Kills} kills landed");
        // A kill lands while a step works (the paced host lets the killed step go just before the kill).
        Assert.True(report.KillsMidStep > 0, "no kill landed mid-step");
        Assert.True(report.Resumes >= report.Kills, $"{report.Resumes} resumes for {report.Kills} kills");
    }
}
