using Baton.TestSupport;
using System.Diagnostics;
using Baton.Storage;
using Baton.Storage.Postgres;

namespace Baton.Orleans.Tests.Processes;

/// <summary>
/// What a test of real <c>baton worker</c> processes stands on: a folder for its workflow files, the shared PostgreSQL
/// store to watch its runs in (they execute in other processes), the workers it started (ended with the test), and the
/// built <c>baton</c> command started in that folder.
/// </summary>
public abstract class WorkerProcessTest(string folderPrefix) : IAsyncLifetime
{
    /// <summary>How long anything a test waits for may take on a loaded machine before the test fails.</summary>
    protected static readonly TimeSpan Bound = TimeSpan.FromSeconds(180);

    protected string Folder { get; } = Directory.CreateTempSubdirectory(folderPrefix).FullName;

    private protected List<WorkerProcess> Workers { get; } = [];

    protected PostgresRunStore Store { get; private set; } = null!;

    public async Task InitializeAsync() => Store = await PostgresRunStore.OpenAsync(new PostgresRunStoreOptions { ConnectionString = ClusterServers.Postgres });

    public virtual async Task DisposeAsync()
    {
        foreach (var worker in Workers) worker.Dispose();
        await Store.DisposeAsync();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    /// <summary>Starts <paramref name="count"/> workers, one after the other: a worker joining validates its connection to every member already there.</summary>
    protected async Task StartWorkersAsync(string cluster, int count)
    {
        for (var i = 0; i < count; i++) Workers.Add(await WorkerProcess.StartAsync(cluster, ClusterServers.Postgres));
    }

    /// <summary>The run's completed steps, as the shared store has them.</summary>
    protected async Task<IReadOnlyList<JournalEntry>> CompletionsAsync(string runId) =>
        [.. (await Store.ReadJournalAsync(runId)).Where(e => e.Kind == JournalEntryKind.StepCompleted)];

    /// <summary>Starts the built <c>baton</c> command in <see cref="Folder"/>, its output redirected, with no store or cluster from the environment but <paramref name="environment"/>.</summary>
    protected Process StartBaton(IDictionary<string, string>? environment, params string[] args)
    {
        var info = BatonCli.StartInfo(args);
        info.WorkingDirectory = Folder;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        return Process.Start(info)!;
    }
}
