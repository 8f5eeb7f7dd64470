using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Baton.Storage.Sqlite;

namespace Baton.Benchmarks.Suites;

/// <summary>
/// Resuming a run with 10,000 journaled steps from SQLite: open the store, read the journal, rebuild state and
/// mailboxes, replay every completed step by position and run the one step left.
/// </summary>
/// <remarks>Each iteration resumes a fresh copy of the same database (a resumed run is finished and cannot be resumed again).</remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 10, invocationCount: 1)]
public class ResumeSuite
{
    /// <summary>Steps journaled before the interruption.</summary>
    public const int Journaled = 10_000;

    private static volatile bool s_failLast;
    private DirectoryInfo _dir = null!;
    private string _template = null!;
    private string _work = null!;
    private string _runId = null!;
    private Workflow _workflow = null!;
    private SqliteRunStore _store = null!;
    private BatonRuntime _runtime = null!;

    /// <summary>Runs a 10,001-step loop whose last step fails, leaving 10,000 completed steps to resume past.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("baton-resume-");
        _template = Path.Combine(_dir.FullName, "template.db");
        _work = Path.Combine(_dir.FullName, "work.db");
        var count = Agent.Create("count", (input, context, _) =>
        {
            var n = context.State.TryGet("n", out var v) ? v.Get<int>() : 0;
            context.SetState("n", Payload.From(n + 1));
            return new ValueTask<AgentResult>(AgentResult.Success(Payload.From(n + 1)));
        });
        var last = Agent.Create("last", (input, _, _) => new ValueTask<AgentResult>(s_failLast
            ? AgentResult.Failure(ErrorKind.Fatal, "interrupted")
            : AgentResult.Success(input)));
        _workflow = new StateMachineBuilder("resume-10k")
            .State("count", count)
            .State("last", last)
            .Transition("count", "count", o => o.Output.Get<int>() < Journaled, "n < 10000")
            .Transition("count", "last")
            .WithLimits(new RunLimits { MaxSteps = Journaled + 10 })
            .Build();
        Suite.Check(async () =>
        {
            s_failLast = true;
            await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = _template });
            await using var runtime = new BatonRuntime(new BatonOptions { Store = store });
            var result = await runtime.RunAsync(_workflow, Payload.Empty);
            Suite.Expect(result.Status == RunStatus.Failed && result.StepCount == Journaled + 1, "a 10,000-step run interrupted at its last step");
            _runId = result.RunId;
            s_failLast = false;
        });
    }

    /// <summary>A fresh copy of the interrupted run's database, and a runtime on it.</summary>
    [IterationSetup]
    public void Copy()
    {
        File.Copy(_template, _work, overwrite: true);
        _store = new SqliteRunStore(new SqliteRunStoreOptions { Path = _work });
        _runtime = new BatonRuntime(new BatonOptions { Store = _store });
    }

    /// <summary>Closes the copy.</summary>
    [IterationCleanup]
    public void Close()
    {
        _runtime.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Deletes the files.</summary>
    [GlobalCleanup]
    public void Cleanup() => _dir.Delete(recursive: true);

    /// <summary>Resume to the end: 10,000 steps replayed, one run.</summary>
    [Benchmark(Description = "Baton, resume 10,000 journaled steps (SQLite)")]
    public async Task<RunResult> Resume()
    {
        var handle = await _runtime.ResumeAsync(_runId, _workflow).ConfigureAwait(false);
        var result = await handle.Completion.ConfigureAwait(false);
        return result.IsSuccess ? result : throw new InvalidOperationException(result.Error?.Message);
    }
}
