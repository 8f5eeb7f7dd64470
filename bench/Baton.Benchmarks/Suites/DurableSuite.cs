using BenchmarkDotNet.Attributes;
using Baton.Benchmarks.Shapes;
using Baton.Storage.Sqlite;
using Microsoft.Agents.AI.Workflows;
using Microsoft.Agents.AI.Workflows.Checkpointing;
using MafWorkflow = Microsoft.Agents.AI.Workflows.Workflow;

namespace Baton.Benchmarks.Suites;

/// <summary>
/// Durable steps: chains of no-op agents journaled to a SQLite file, one run at a time and 64 at once, beside
/// Microsoft Agent Framework Workflows checkpointing every superstep to its file store, on the same chains.
/// Steps per second = <see cref="Runs"/> × <see cref="ChainLength"/> / mean.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet's generated runner derives from it.</remarks>
public class DurableSuite
{
    /// <summary>Steps in each chain.</summary>
    public const int ChainLength = 50;

    private DirectoryInfo _dir = null!;
    private SqliteRunStore _store = null!;
    private BatonRuntime _runtime = null!;
    private Workflow _workflow = null!;
    private MafWorkflow[] _maf = null!;
    private DirectoryInfo[] _checkpoints = null!;
    private readonly Payload _input = Payload.FromText(Workload.Input);

    /// <summary>Runs at once.</summary>
    [Params(1, 64)]
    public int Runs { get; set; }

    /// <summary>A fresh database and checkpoint folder.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("baton-durable-");
        _store = new SqliteRunStore(new SqliteRunStoreOptions { Path = Path.Combine(_dir.FullName, "baton.db") });
        _runtime = new BatonRuntime(new BatonOptions { Store = _store });
        _workflow = SequentialBuilder.Create($"durable-{ChainLength}", BatonShapes.NoOps("step", ChainLength));
        _maf = Enumerable.Range(0, Runs).Select(_ => MafShapes.Chain(ChainLength)).ToArray();
        // A file checkpoint store holds its folder: one folder per concurrent run.
        _checkpoints = [.. Enumerable.Range(0, Runs).Select(i => _dir.CreateSubdirectory($"maf-{i}"))];
        Suite.Check(async () =>
        {
            await BatonShapes.RunCheckedAsync(_runtime, _workflow, _input, o => o.AsText() == Workload.Input);
            Suite.Expect(await MafCheckpointedAsync(_maf[0], _checkpoints[0]) == Workload.Input, "MAF with file checkpoints");
        });
    }

    /// <summary>Closes the store and deletes the files.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _runtime.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _dir.Delete(recursive: true);
    }

    /// <summary>Baton: every step committed to SQLite (WAL) before the next starts.</summary>
    [Benchmark(Baseline = true, Description = "Baton, SQLite journal")]
    public Task BatonSqlite() => Task.WhenAll(Enumerable.Range(0, Runs).Select(_ => _runtime.RunAsync(_workflow, _input)));

    /// <summary>MAF Lockstep with a checkpoint per superstep in its file store.</summary>
    [Benchmark(Description = "MAF, file checkpoints")]
    public Task MafFileCheckpoints() => Task.WhenAll(_maf.Select((w, i) => MafCheckpointedAsync(w, _checkpoints[i]).AsTask()));

    private static async ValueTask<string> MafCheckpointedAsync(MafWorkflow workflow, DirectoryInfo folder)
    {
        using var store = new FileSystemJsonCheckpointStore(folder);
        var environment = InProcessExecution.Lockstep.WithCheckpointing(CheckpointManager.CreateJson(store));
        string? output = null;
        await using var run = await environment.RunStreamingAsync(workflow, Workload.Input).ConfigureAwait(false);
        await foreach (var evt in run.WatchStreamAsync().ConfigureAwait(false))
        {
            if (evt is WorkflowOutputEvent o) output = o.Data?.ToString();
            if (evt is WorkflowErrorEvent error) throw new InvalidOperationException($"MAF workflow error: {error.Exception}", error.Exception);
        }

        return output ?? throw new InvalidOperationException("MAF produced no output");
    }
}
