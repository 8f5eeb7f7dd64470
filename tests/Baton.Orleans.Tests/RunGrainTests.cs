using Baton.Orleans;
using Baton.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Runtime;

namespace Baton.Orleans.Tests;

/// <summary>Runs handed to a cluster of workers: they finish, survive their worker's death, and land where they can run.</summary>
public sealed class RunGrainTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_run_started_through_the_cluster_finishes_and_is_journaled_in_the_shared_store()
    {
        var workflow = SequentialBuilder.Create("upper-" + Guid.NewGuid().ToString("N")[..8],
            Agent.Create("upper", input => Payload.FromText(input.AsText().ToUpperInvariant())),
            Agent.Create("exclaim", input => Payload.FromText(input.AsText() + "!")));
        await using var cluster = await TestCluster.StartAsync([workflow]);

        var state = await cluster.Baton.RunAsync(workflow, Payload.FromText("hello")).WaitAsync(Bound);

        Assert.Equal(RunStatus.Succeeded, state.Status);
        var journal = await cluster.Store.ReadJournalAsync(state.RunId);
        Assert.Equal("HELLO!", journal.Last(e => e.Kind == JournalEntryKind.StepCompleted).Payload!.AsText());
        Assert.Equal(RunStatus.Succeeded, (await cluster.Store.GetRunAsync(state.RunId))!.Status);
    }

    [Fact]
    public async Task A_run_whose_worker_is_killed_mid_run_finishes_on_another_without_running_a_completed_step_again()
    {
        var ledger = new Ledger();
        var secondStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workflow = new SequentialBuilder("failover-" + Guid.NewGuid().ToString("N")[..8])
            .Then(Agent.Create("first", (input, context, _) => { ledger.Record(context); return ValueTask.FromResult(AgentResult.Success("one")); }), "first")
            .Then(Agent.Create("second", async (input, context, ct) =>
            {
                // The first execution hangs until its worker is gone (its token is cancelled, or nothing ever returns).
                if (ledger.Record(context) == 1)
                {
                    secondStarted.TrySetResult();
                    await Task.Delay(Timeout.Infinite, ct);
                }

                return AgentResult.Success(input.AsText() + " two");
            }), "second")
            .Then(Agent.Create("third", (input, context, _) => { ledger.Record(context); return ValueTask.FromResult(AgentResult.Success(input.AsText() + " three")); }), "third")
            .Build();
        await using var cluster = await TestCluster.StartAsync([workflow]);

        var runId = await cluster.Baton.StartAsync(workflow, "go").WaitAsync(Bound);
        await secondStarted.Task.WaitAsync(Bound);
        var holder = (await cluster.Store.GetRunAsync(runId))!.LeaseOwner;
        var doomed = cluster.SiloOf(holder);
        await cluster.Cluster.KillSiloAsync(doomed);
        var state = await cluster.Baton.WaitAsync(runId).WaitAsync(Bound);

        Assert.Equal(RunStatus.Succeeded, state.Status);
        Assert.Equal(1, ledger.Count(runId, "first"));
        Assert.Equal(2, ledger.Count(runId, "second"));
        Assert.Equal(1, ledger.Count(runId, "third"));
        var journal = await cluster.Store.ReadJournalAsync(runId);
        Assert.Equal("one two three", journal.Last(e => e.Kind == JournalEntryKind.StepCompleted).Payload!.AsText());
        Assert.Single(journal, e => e.Kind == JournalEntryKind.StepCompleted && e.StepId == "first");
    }

    [Fact]
    public async Task The_sweep_continues_a_run_whose_lease_expired_without_anyone_asking_for_it()
    {
        var finished = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var workflow = SequentialBuilder.Create("orphan-" + Guid.NewGuid().ToString("N")[..8],
            Agent.Create("finish", (input, context, _) => { finished.TrySetResult(context.RunId); return ValueTask.FromResult(AgentResult.Success("done")); }));
        await using var cluster = await TestCluster.StartAsync([workflow], sweepInterval: TimeSpan.FromMilliseconds(200));
        // A process outside the cluster started the run and died holding a short lease.
        var now = DateTimeOffset.UtcNow;
        await cluster.Store.CreateRunAsync(new RunRecord { RunId = "orphan-1", Workflow = workflow.Name, Status = RunStatus.Running, StartedAt = now, UpdatedAt = now },
            "a-process-that-died", TimeSpan.FromMilliseconds(300), [new JournalEntry { Kind = JournalEntryKind.RunStarted, Payload = "x", Timestamp = now }]);

        Assert.Equal("orphan-1", await finished.Task.WaitAsync(Bound));
        var state = await cluster.Baton.WaitAsync("orphan-1").WaitAsync(Bound);
        Assert.Equal(RunStatus.Succeeded, state.Status);
    }

    [Fact]
    public async Task A_run_whose_step_needs_a_capability_runs_on_a_worker_that_advertises_it()
    {
        var ranOn = new List<string>();
        var workflow = new SequentialBuilder("train-" + Guid.NewGuid().ToString("N")[..8])
            .Then(Agent.Create("train", (input, context, _) =>
            {
                lock (ranOn) ranOn.Add(context.Services!.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString());
                return ValueTask.FromResult(AgentResult.Success("trained"));
            }), "train", resource: "gpu")
            .Build();
        await using var cluster = await TestCluster.StartAsync([workflow], silos: 3, gpuWorkers: 1);
        var gpuSilo = cluster.Cluster.Silos.Single(s => cluster.GpuSilos.Contains(s.Name)).SiloAddress.ToParsableString();

        for (var i = 0; i < 6; i++)
        {
            var state = await cluster.Baton.RunAsync(workflow).WaitAsync(Bound);
            Assert.Equal(RunStatus.Succeeded, state.Status);
        }

        Assert.Equal(6, ranOn.Count);
        Assert.All(ranOn, silo => Assert.Equal(gpuSilo, silo));
    }

    [Fact]
    public async Task The_membership_tuning_for_a_death_noticed_within_seconds_reaches_every_silo()
    {
        var workflow = SequentialBuilder.Create("noop-" + Guid.NewGuid().ToString("N")[..8], Agent.Identity("noop"));
        await using var cluster = await TestCluster.StartAsync([workflow]);

        var membership = cluster.Cluster.GetSiloServiceProvider(cluster.Cluster.Silos[0].SiloAddress).GetRequiredService<Microsoft.Extensions.Options.IOptions<ClusterMembershipOptions>>().Value;

        Assert.Equal(TimeSpan.FromMilliseconds(500), membership.ProbeTimeout);
        Assert.Equal(2, membership.NumMissedProbesLimit);
        Assert.Equal(1, membership.NumVotesForDeathDeclaration);
    }
}
