using System.Diagnostics;
using System.Text.Json.Nodes;
using Baton.Orleans;
using Baton.Storage;
using Baton.Yaml;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Baton.Orleans.Tests.Processes;

/// <summary>
/// Two real <c>baton worker</c> processes on Redis membership and one PostgreSQL store: a worker killed with SIGKILL
/// while it runs a run costs no completed step; its runs finish on the other worker.
/// </summary>
[Collection(nameof(WorkerProcessTests))]
public sealed class WorkerProcessTests() : WorkerProcessTest("baton-cluster-")
{
    private const int Steps = 6;
    /// <summary>A workflow of <see cref="Steps"/> steps, each a model call that takes 700 ms: long enough to kill a worker mid-run.</summary>
    private string WriteLongWorkflow()
    {
        var replies = string.Join(", ", Enumerable.Range(1, Steps).Select(i => $"\"reply {i}\""));
        var agents = string.Join("\n", Enumerable.Range(1, Steps).Select(i => $"  step{i}: {{ model: slow, instructions: \"Step {i}.\" }}"));
        var path = Path.Combine(Folder, "long.yaml");
        var sequence = string.Join(", ", Enumerable.Range(1, Steps).Select(i => $"step{i}"));
        File.WriteAllText(path, $$"""
            version: 1
            name: long-{{Guid.NewGuid():N}}
            models:
              slow: { provider: scripted, replies: [{{replies}}], delay: 700ms }
            agents:
            {{agents}}
            workflow:
              sequential: [{{sequence}}]
            """);
        return path;
    }

    private async Task WaitForCompletionsAsync(string runId, int count)
    {
        var deadline = Stopwatch.StartNew();
        // Polls the shared store: the run executes in another process, so the store is what can be watched.
        while ((await Store.GetRunAsync(runId) is null || (await CompletionsAsync(runId)).Count < count) && deadline.Elapsed < Bound) await Task.Delay(100);
        Assert.True((await CompletionsAsync(runId)).Count >= count, $"run {runId} did not complete {count} steps in {Bound}");
    }

    private async Task AssertNoStepRanTwiceAsync(string runId)
    {
        var completions = await CompletionsAsync(runId);
        var repeated = completions.GroupBy(e => e.Key).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        Assert.True(repeated.Length == 0, $"run {runId} completed {string.Join(", ", repeated)} more than once");
        Assert.Equal(Steps, completions.Count(e => e.StepId?.StartsWith("step", StringComparison.Ordinal) == true));
    }

    [ClusterFact]
    public async Task A_worker_killed_mid_run_loses_no_completed_step_and_the_run_finishes_on_the_other()
    {
        var cluster = ClusterServers.FreshCluster(database: 5);
        await StartWorkersAsync(cluster, 2);
        var file = WriteLongWorkflow();

        using var run = StartBaton(null, "run", file, "--json", "--cluster", cluster, "--store", ClusterServers.Postgres);
        var stdout = run.StandardOutput.ReadToEndAsync();
        var started = await run.StandardError.ReadLineAsync().WaitAsync(Bound);
        Assert.StartsWith("run ", started);
        var runId = started!.Split(' ')[1];
        var stderr = run.StandardError.ReadToEndAsync();

        await WaitForCompletionsAsync(runId, 2);
        var holder = (await Store.GetRunAsync(runId))!.LeaseOwner;
        var doomed = Workers.Single(w => w.Owner == holder);
        doomed.KillHard();
        await run.WaitForExitAsync().WaitAsync(Bound);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {await stderr}");
        var report = JsonNode.Parse(await stdout)!.AsObject();
        Assert.Equal("succeeded", report["status"]!.GetValue<string>());
        Assert.Equal($"reply {Steps}", report["output"]!.GetValue<string>());
        await AssertNoStepRanTwiceAsync(runId);
        Assert.True(doomed.HasExited);
    }

    [ClusterFact]
    public async Task Ten_concurrent_runs_survive_a_random_worker_killed_mid_run()
    {
        var cluster = ClusterServers.FreshCluster(database: 6);
        await StartWorkersAsync(cluster, 2);
        var (built, stored, problems) = StoredWorkflowFile.Load(WriteLongWorkflow());
        Assert.True(built is not null, string.Join("; ", problems));
        using var client = await ClientAsync(cluster);
        var baton = new BatonCluster(client.Services.GetRequiredService<IClusterClient>());

        var runIds = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            baton.StartAsync(built.Workflow, Payload.ParseJson("{}"), new RunOptions { Source = stored!.Main, Definition = stored.ToJson() })));
        await WaitForCompletionsAsync(runIds[0], 1);
        Workers[Random.Shared.Next(Workers.Count)].KillHard();
        var states = await Task.WhenAll(runIds.Select(id => baton.WaitAsync(id))).WaitAsync(Bound);

        Assert.All(states, s => Assert.Equal(RunStatus.Succeeded, s.Status));
        foreach (var runId in runIds) await AssertNoStepRanTwiceAsync(runId);
    }

    private static async Task<IHost> ClientAsync(string cluster)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.None);
        builder.UseOrleansClient(client => client.UseRedisClustering(cluster).Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("baton", "baton")));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
