using System.Diagnostics;
using System.Globalization;
using Baton.Storage;
using Baton.Storage.Sqlite;

namespace Baton.Benchmarks.Probes;

/// <summary>
/// Figures BenchmarkDotNet's means do not give for durable runs: commit latency percentiles by payload size, and
/// the bytes a long conversation stores per turn (storage must grow linearly with turns, not with the conversation).
/// </summary>
/// <remarks><c>dotnet run -c Release --project bench/Baton.Benchmarks -- durable</c></remarks>
public static class DurableProbe
{
    /// <summary>Prints both tables.</summary>
    public static async Task RunAsync()
    {
        var dir = Directory.CreateTempSubdirectory("baton-probe-");
        try
        {
            Console.WriteLine("Commit latency (SQLite, one append = one step's completion, 2,000 appends per row after 200 warm-up)");
            Console.WriteLine("| payload | writers | p50 | p99 | appends/s |");
            Console.WriteLine("|---:|---:|---:|---:|---:|");
            foreach (var size in new[] { 100, 1_024, 16_384, 65_536, 262_144 })
            {
                foreach (var writers in new[] { 1, 64 })
                {
                    await LatencyAsync(dir, size, writers).ConfigureAwait(false);
                }
            }

            Console.WriteLine();
            Console.WriteLine("Storage of a conversation: each turn appends one ~300-character message to an append-reduced `conversation`");
            Console.WriteLine("| turns | database bytes | bytes per turn | a full snapshot per step would store |");
            Console.WriteLine("|---:|---:|---:|---:|");
            foreach (var turns in new[] { 100, 250, 500 })
            {
                await ConversationAsync(dir, turns).ConfigureAwait(false);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task LatencyAsync(DirectoryInfo dir, int size, int writers)
    {
        var path = Path.Combine(dir.FullName, $"latency-{size}-{writers}.db");
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });
        var payload = Payload.FromText(new string('x', size));
        var leases = new RunLease[writers];
        for (var w = 0; w < writers; w++)
        {
            leases[w] = await store.CreateRunAsync(new RunRecord { RunId = $"r{w}", Workflow = "probe", Status = RunStatus.Running, StartedAt = DateTimeOffset.UtcNow }, "probe", TimeSpan.FromMinutes(5)).ConfigureAwait(false);
        }

        const int Warmup = 200, Measured = 2_000;
        var latencies = new double[Measured];
        var next = -Warmup;
        var clock = Stopwatch.StartNew();
        var measuring = Stopwatch.StartNew();
        await Task.WhenAll(leases.Select(lease => Task.Run(async () =>
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next) - 1;
                if (i >= Measured) return;
                if (i == 0) measuring.Restart();
                var start = clock.Elapsed.TotalMilliseconds;
                await store.AppendAsync(lease, new JournalEntry { Kind = JournalEntryKind.StepCompleted, Key = $"{i}:step", StepId = "step", Payload = payload, Timestamp = DateTimeOffset.UtcNow }).ConfigureAwait(false);
                if (i >= 0) latencies[i] = clock.Elapsed.TotalMilliseconds - start;
            }
        }))).ConfigureAwait(false);
        var elapsed = measuring.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {Bytes(size)} | {writers} | {latencies[Measured / 2]:F3} ms | {latencies[Measured * 99 / 100]:F3} ms | {Measured / elapsed:N0} |"));
    }

    private static async Task ConversationAsync(DirectoryInfo dir, int turns)
    {
        var path = Path.Combine(dir.FullName, $"conversation-{turns}.db");
        var turn = Agent.Create("chat", (input, context, _) =>
        {
            var n = input.IsEmpty ? 0 : input.Get<int>();
            context.SetState("conversation", Payload.FromText($"turn {n}: " + new string('m', 290)));
            return new ValueTask<AgentResult>(AgentResult.Success(Payload.From(n + 1)));
        });
        var workflow = new StateMachineBuilder($"conversation-{turns}")
            .DeclareState("conversation", StateReducer.Append)
            .State("chat", turn)
            .Transition("chat", "chat", o => o.Output.Get<int>() < turns, "more turns")
            .WithLimits(new RunLimits { MaxSteps = turns + 10 })
            .Build();
        long snapshotBytes = 0;
        await using (var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path }))
        await using (var runtime = new BatonRuntime(new BatonOptions { Store = store }))
        {
            var result = await runtime.RunAsync(workflow, Payload.Empty).ConfigureAwait(false);
            if (!result.IsSuccess) throw new InvalidOperationException(result.Error?.Message);
            // What storing the whole accumulated state at every step would cost (the anchor framework's way).
            for (var t = 1; t <= turns; t++) snapshotBytes += t * 300L;
        }

        var bytes = new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {turns} | {bytes:N0} | {bytes / turns:N0} | {snapshotBytes:N0} |"));
    }

    private static string Bytes(int size) => size >= 1024 ? $"{size / 1024} KiB" : $"{size} B";
}
