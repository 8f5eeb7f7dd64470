using System.Diagnostics;
using System.Text.Json.Nodes;
using Baton.Storage;

namespace Baton.Orleans.Tests.Processes;

/// <summary>
/// A workflow file's <c>emit</c> and <c>on</c> on real <c>baton worker</c> processes: the file's subscriptions start
/// their child runs on the cluster as <c>baton run FILE</c> does in one process, and a child run whose worker is killed
/// finishes on another, rebuilt from the definition it carries.
/// </summary>
[Collection(nameof(WorkerProcessTests))]
public sealed class ClusterFileEventTests() : WorkerProcessTest("baton-cluster-events-")
{
    /// <summary>An inbox: triage emits, one subscription by exact topic and one by wildcard; the calendar's child run has three slow steps.</summary>
    private string WriteInbox()
    {
        var path = Path.Combine(Folder, "inbox.yaml");
        File.WriteAllText(path, $$$"""
            version: 1
            name: inbox-{{{Guid.NewGuid():N}}}
            models:
              slow: { provider: scripted, replies: ["read", "booked", "confirmed"], delay: 700ms }
            agents:
              triage: { template: "calendar" }
              read: { model: slow, instructions: "Read it." }
              book: { model: slow, instructions: "Book it." }
              confirm: { model: slow, instructions: "Confirm it." }
              notify: { template: "Notified the team about: {{ input.subject }}" }
            on:
              "inbox.calendar": [{ sequential: [read, book, confirm] }]
              "inbox.*": [notify]
            workflow:
              sequential:
                - triage
                - emit: { topic: inbox.calendar, data: { subject: "Friday 10:00", kind: "{{ input }}" } }
            """);
        return path;
    }

    private async Task<(string RunId, Process Command, Task<string> Stdout, Task<string> Stderr)> StartRunAsync(string cluster, string file)
    {
        var command = StartBaton(null, "run", file, "--json", "--cluster", cluster, "--store", ClusterServers.Postgres);
        var stdout = command.StandardOutput.ReadToEndAsync();
        var started = await command.StandardError.ReadLineAsync().WaitAsync(Bound);
        Assert.StartsWith("run ", started);
        return (started!.Split(' ')[1], command, stdout, command.StandardError.ReadToEndAsync());
    }

    private async Task<IReadOnlyList<RunRecord>> ChildrenAsync(string runId) => await Store.ListRunsAsync(new RunQuery { ParentRunId = runId });

    /// <summary>Polls the shared store (the runs execute in other processes) until <paramref name="done"/> holds.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> done, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await done() && deadline.Elapsed < Bound) await Task.Delay(100);
        Assert.True(await done(), $"{what} did not happen in {Bound}");
    }

    [ClusterFact]
    public async Task A_files_emit_starts_its_on_subscriptions_child_runs_on_the_cluster()
    {
        var cluster = ClusterServers.FreshCluster(database: 9);
        await StartWorkersAsync(cluster, 2);

        var (runId, command, stdout, stderr) = await StartRunAsync(cluster, WriteInbox());
        using (command)
        {
            await command.WaitForExitAsync().WaitAsync(Bound);
            Assert.True(command.ExitCode == 0, $"exit {command.ExitCode}: {await stderr}");
        }

        Assert.Equal("succeeded", JsonNode.Parse(await stdout)!["status"]!.GetValue<string>());
        await WaitUntilAsync(async () => (await ChildrenAsync(runId)) is { Count: 2 } children && children.All(c => c.Status == RunStatus.Succeeded), "both child runs succeeding");
        var outputs = new List<string>();
        foreach (var child in await ChildrenAsync(runId))
        {
            var last = (await Store.ReadJournalAsync(child.RunId)).Last();
            Assert.Equal(JournalEntryKind.RunSucceeded, last.Kind);
            outputs.Add(last.Payload!.AsText());
            // Each child carries the file it belongs to: any worker can rebuild it.
            Assert.NotNull(child.Definition);
        }

        Assert.Equal(["Notified the team about: Friday 10:00", "confirmed"], outputs.Order(StringComparer.Ordinal));
    }

    [ClusterFact]
    public async Task A_child_run_whose_worker_is_killed_finishes_on_the_other_worker_without_running_a_completed_step_again()
    {
        var cluster = ClusterServers.FreshCluster(database: 10);
        await StartWorkersAsync(cluster, 2);

        var (runId, command, _, _) = await StartRunAsync(cluster, WriteInbox());
        using (command)
        {
            await command.WaitForExitAsync().WaitAsync(Bound);
        }

        RunRecord? calendar = null;
        await WaitUntilAsync(async () =>
        {
            calendar = (await ChildrenAsync(runId)).FirstOrDefault(c => c.Workflow.Contains("-on-", StringComparison.Ordinal) && !c.Workflow.Contains("notify", StringComparison.Ordinal));
            return calendar is not null && (await CompletionsAsync(calendar.RunId)).Count >= 1 && (await Store.GetRunAsync(calendar.RunId))!.LeaseOwner is not null;
        }, "the calendar child run completing its first step");
        var holder = (await Store.GetRunAsync(calendar!.RunId))!.LeaseOwner;
        var doomed = Workers.Single(w => w.Owner == holder);
        doomed.KillHard();

        await WaitUntilAsync(async () => (await Store.GetRunAsync(calendar.RunId))!.Status == RunStatus.Succeeded, "the calendar child run finishing on the other worker");
        var completions = await CompletionsAsync(calendar.RunId);
        Assert.DoesNotContain(completions.GroupBy(e => e.Key), g => g.Count() > 1);
        Assert.Equal("confirmed", (await Store.ReadJournalAsync(calendar.RunId)).Last().Payload!.AsText());
        Assert.True(doomed.HasExited);
        Assert.NotEqual(holder, (await Store.GetRunAsync(calendar.RunId))!.LeaseOwner ?? "released by another worker");
    }
}
