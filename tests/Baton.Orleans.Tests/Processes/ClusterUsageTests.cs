using Baton.TestSupport;
using System.Diagnostics;

namespace Baton.Orleans.Tests.Processes;

/// <summary>The cluster commands refuse what cannot work with one readable line and exit 2, before touching any server.</summary>
public sealed class ClusterUsageTests
{
    private static async Task<(int Exit, string Stderr)> BatonAsync(params string[] args)
    {
        var info = BatonCli.StartInfo(args);
        info.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stderr);
    }

    [Fact]
    public async Task A_cluster_run_on_a_store_that_is_not_PostgreSQL_is_refused()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("baton-usage-").FullName, "one.yaml");
        File.WriteAllText(file, "version: 1\nmodels:\n  m: { provider: scripted, replies: [\"hi\"] }\nagents:\n  a: { model: m, instructions: \"Hi.\" }\nworkflow: a\n");

        var (exit, stderr) = await BatonAsync("run", file, "--cluster", "127.0.0.1:6379", "--store", Path.ChangeExtension(file, ".db"));

        Assert.Equal(2, exit);
        Assert.StartsWith("baton: --cluster needs a PostgreSQL store shared by every worker", stderr.Trim());
    }

    [Fact]
    public async Task A_worker_without_a_cluster_is_told_what_to_pass()
    {
        var (exit, stderr) = await BatonAsync("worker");

        Assert.Equal(2, exit);
        Assert.StartsWith("baton: baton worker needs --cluster (or BATON_CLUSTER)", stderr.Trim());
    }
}
