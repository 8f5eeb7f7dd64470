using Baton.Storage.Postgres;

namespace Baton.Storage.Tests.Failures;

/// <summary>
/// PostgreSQL restarted while a run is in the middle of a step: the run either goes on or fails with the store's
/// error — and nothing committed is lost: resumed, it finishes with the same output, no completed step run again.
/// </summary>
public sealed class PostgresRestartTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [PrivatePostgresFact]
    public async Task A_server_restarted_mid_run_loses_nothing_and_the_run_finishes_on_resume()
    {
        using var server = new PrivatePostgres();
        await using var store = await PostgresRunStore.OpenAsync(new PostgresRunStoreOptions { ConnectionString = server.ConnectionString });
        var calls = new Dictionary<string, int>();
        var inStep = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IAgent Counted(string name, Func<Payload, Task<Payload>> work) => Agent.Create(name, async (input, _, _) =>
        {
            lock (calls) calls[name] = calls.GetValueOrDefault(name) + 1;
            return AgentResult.Success(await work(input));
        });
        var workflow = new SequentialBuilder("restart")
            .Then(Counted("first", p => Task.FromResult(Payload.FromText(p.AsText() + " a"))))
            .Then(Counted("second", async p =>
            {
                // The first time: the server restarts while this step runs, before it commits.
                inStep.TrySetResult();
                await restarted.Task;
                return Payload.FromText(p.AsText() + " b");
            }), retry: RetryPolicy.None)
            .Then(Counted("third", p => Task.FromResult(Payload.FromText(p.AsText() + " c"))))
            .Build();

        string runId;
        RunResult during;
        await using (var runtime = new BatonRuntime(new BatonOptions { Store = store }))
        {
            var handle = runtime.Start(workflow, "go");
            runId = handle.RunId;
            await inStep.Task.WaitAsync(TimeSpan.FromSeconds(60));
            server.Restart();
            restarted.SetResult();
            during = await handle.Completion.WaitAsync(TimeSpan.FromSeconds(120));
        }

        output.WriteLine($"during the restart: {during.Status} {during.Error?.Code} {during.Error?.Message}");
        // Either it went on, or it failed saying the store failed (never a wrong output, never a hang).
        Assert.True(during.Status is RunStatus.Succeeded or RunStatus.Failed, $"{during.Status}: {during.Error}");
        var journal = await store.ReadJournalAsync(runId);
        Assert.Contains(journal, e => e.Kind == JournalEntryKind.StepCompleted && e.StepId == "first" && e.Payload!.AsText() == "go a");

        var result = during;
        if (during.Status == RunStatus.Failed)
        {
            Assert.Equal("store", during.Error!.Code);
            Assert.StartsWith("the run stopped: the store failed: ", during.Error.Message);
            await using var again = new BatonRuntime(new BatonOptions { Store = store });
            result = await (await again.ResumeAsync(runId, workflow)).Completion.WaitAsync(TimeSpan.FromSeconds(120));
        }

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("go a b c", result.Output!.AsText());
        Assert.Equal(1, calls["first"]);
        Assert.Equal(1, calls["third"]);
        Assert.InRange(calls["second"], 1, 2);
    }
}
