using System.Diagnostics;
using System.Text.Json.Nodes;
using Baton.Storage;

namespace Baton.Orleans.Tests.Processes;

/// <summary>
/// <c>baton runs answer --cluster</c> and <c>runs resume --cluster</c> against two real workers: the answered run
/// continues on a worker (its lease is held as a silo), not in the answering command, which only follows it.
/// </summary>
[Collection(nameof(WorkerProcessTests))]
public sealed class ClusterAnswerTests() : WorkerProcessTest("baton-cluster-answer-")
{
    /// <summary>An approval, then a model call slow enough (3 s) to see who holds the run while it executes.</summary>
    private string WriteApprovalWorkflow()
    {
        var path = Path.Combine(Folder, "approve.yaml");
        File.WriteAllText(path, $$"""
            version: 1
            name: approve-{{Guid.NewGuid():N}}
            models:
              slow: { provider: scripted, replies: ["published"], delay: 3s }
            agents:
              publish: { model: slow, instructions: "Publish it." }
            workflow:
              sequential:
                - ask: { prompt: "Publish?", choices: [yes, no] }
                - publish
            """);
        return path;
    }

    private async Task<(int Exit, string Stdout, string Stderr, string? RunId)> BatonAsync(IDictionary<string, string>? environment, params string[] args)
    {
        using var process = StartBaton(environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Bound);
        var error = await stderr;
        var runId = error.Split('\n').FirstOrDefault(l => l.StartsWith("run ", StringComparison.Ordinal))?.Split(' ')[1];
        return (process.ExitCode, await stdout, error, runId);
    }

    /// <summary>Polls the shared store (the run executes in other processes) until the run executes, and returns who holds it.</summary>
    private async Task<string?> HolderWhileRunningAsync(string runId)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < Bound)
        {
            var record = await Store.GetRunAsync(runId);
            if (record is { Status: RunStatus.Running, LeaseOwner: { } owner }) return owner;
            if (record is { Status: RunStatus.Succeeded or RunStatus.Failed }) return null;
            await Task.Delay(50);
        }

        return null;
    }

    [ClusterFact]
    public async Task An_answer_from_the_command_continues_the_run_on_a_worker_and_the_command_follows_it()
    {
        var cluster = ClusterServers.FreshCluster(database: 7);
        await StartWorkersAsync(cluster, 2);
        var file = WriteApprovalWorkflow();

        var waiting = await BatonAsync(null, "run", file, "--json", "--cluster", cluster, "--store", ClusterServers.Postgres);
        Assert.True(waiting.Exit == 3, $"exit {waiting.Exit}: {waiting.Stderr}");
        var runId = waiting.RunId!;

        var refused = await BatonAsync(null, "runs", "answer", runId, "--value", "maybe", "--cluster", cluster, "--store", ClusterServers.Postgres);
        Assert.True(refused.Exit == 2, $"exit {refused.Exit}: {refused.Stderr}");
        Assert.Contains("not accepted", refused.Stderr);

        // BATON_CLUSTER instead of --cluster; the holder is watched while the answering command follows the run.
        var answering = BatonAsync(new Dictionary<string, string> { ["BATON_CLUSTER"] = cluster }, "runs", "answer", runId, "--value", "yes", "--json", "--store", ClusterServers.Postgres);
        var holder = await HolderWhileRunningAsync(runId);
        var answered = await answering;

        Assert.True(answered.Exit == 0, $"exit {answered.Exit}: {answered.Stderr}");
        Assert.Contains("on the cluster", answered.Stderr);
        var report = JsonNode.Parse(answered.Stdout)!.AsObject();
        Assert.Equal("succeeded", report["status"]!.GetValue<string>());
        Assert.Equal("published", report["output"]!.GetValue<string>());
        Assert.NotNull(holder);
        Assert.Contains(Workers, w => w.Owner == holder);
    }

    [ClusterFact]
    public async Task Resume_on_the_cluster_refuses_an_ended_run_and_follows_a_waiting_one()
    {
        var cluster = ClusterServers.FreshCluster(database: 8);
        await StartWorkersAsync(cluster, 1);
        var file = WriteApprovalWorkflow();
        var waiting = await BatonAsync(null, "run", file, "--json", "--cluster", cluster, "--store", ClusterServers.Postgres);
        Assert.True(waiting.Exit == 3, $"exit {waiting.Exit}: {waiting.Stderr}");

        // Still waiting for its answer: resuming it on the cluster settles at once, waiting (exit 3).
        var resumed = await BatonAsync(null, "runs", "resume", waiting.RunId!, "--json", "--cluster", cluster, "--store", ClusterServers.Postgres);
        Assert.True(resumed.Exit == 3, $"exit {resumed.Exit}: {resumed.Stderr}");
        Assert.Equal("waiting", JsonNode.Parse(resumed.Stdout)!["status"]!.GetValue<string>());

        var answered = await BatonAsync(null, "runs", "answer", waiting.RunId!, "--value", "no", "--json", "--cluster", cluster, "--store", ClusterServers.Postgres);
        Assert.True(answered.Exit == 0, $"exit {answered.Exit}: {answered.Stderr}");
        var ended = await BatonAsync(null, "runs", "resume", waiting.RunId!, "--cluster", cluster, "--store", ClusterServers.Postgres);
        Assert.Equal(2, ended.Exit);
        Assert.Contains("already succeeded", ended.Stderr);
    }
}
