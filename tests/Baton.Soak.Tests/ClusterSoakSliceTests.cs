using Baton.CrashHost;
using Baton.Soak.Soak;
using Xunit.Abstractions;

namespace Baton.Soak.Tests;

/// <summary>
/// The CI slice of the cluster soak: a few SIGKILLs of real cluster workers (Orleans silos on Redis and PostgreSQL)
/// holding runs mid-step, through the soak's own code (fixed seed); every run finishes on another worker and is
/// checked against an uninterrupted run — output, no completed step re-run, whole journal, every side effect once.
/// </summary>
public sealed class ClusterSoakSliceTests(ITestOutputHelper output)
{
    [ClusterSoakFact]
    public async Task Cluster_workers_killed_mid_step_hand_their_runs_over_with_the_uninterrupted_outcome()
    {
        var report = await ClusterSoakRunner.RunAsync(new ClusterSoakOptions
        {
            Seed = 20261202,
            Kills = 4,
            Workers = 3,
            Runs = 4,
            // A sequence, parallel branches, a loop, a person's approval and a conversation: the kill points land in each kind.
            Shapes = ["sequential", "parallel", "loop", "approval", "groupchat"],
            Redis = ClusterSoakFactAttribute.Redis,
            Postgres = ClusterSoakFactAttribute.Postgres,
            MaxFailures = 1,
            Deadline = TimeSpan.FromMinutes(4),
            Log = output.WriteLine,
        });
        output.WriteLine(report.ToString());

        Assert.Null(report.Skipped);
        Assert.True(report.Failures.IsEmpty, string.Join("\n", report.Failures));
        Assert.True(report.Kills >= 4, $"only {report.Kills} kills landed");
        // The paced worker lets the killed step go just before the kill: it lands while a step works.
        Assert.True(report.KillsMidStep > 0, "no kill landed mid-step");
        Assert.True(report.RunsInterrupted >= report.Kills, $"{report.RunsInterrupted} runs interrupted by {report.Kills} kills");
        Assert.True(report.KillToNextStepMs.Count > 0, "no interrupted run was seen to go on on another worker");
        Assert.True(report.Runs >= 4, $"only {report.Runs} runs checked");
    }
}

/// <summary>A test that needs Redis and PostgreSQL: skipped, with the reason, when either is absent.</summary>
public sealed class ClusterSoakFactAttribute : FactAttribute
{
    /// <summary>BATON_TEST_REDIS, else the server .ci/redis.sh starts.</summary>
    public static string Redis { get; } = Environment.GetEnvironmentVariable("BATON_TEST_REDIS") is { Length: > 0 } redis ? redis : "127.0.0.1:6390";

    /// <summary>BATON_TEST_POSTGRES (no default: the soak's PostgreSQL is named).</summary>
    public static string Postgres { get; } = Environment.GetEnvironmentVariable(CrashStores.PostgresVariable) ?? "";

    public ClusterSoakFactAttribute()
    {
        if (ClusterSoakRunner.SkipReason(Redis, Postgres) is { } reason) Skip = "cluster soak skipped: " + reason;
    }
}
