using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Baton.Storage.Sqlite;
using Baton.TestSupport;
using Microsoft.Extensions.Logging;

namespace Baton.Benchmarks.Probes;

/// <summary>
/// Many viewers of one run's event stream (<c>GET /api/runs/{id}/events</c>): a real Kestrel on 127.0.0.1 and a SQLite
/// store, a run of 2×STEPS steps (100 by default) that waits for a person half-way, and N clients reading its stream at
/// once. Prints the managed heap with one viewer and with N (the bytes each viewer adds, client side included: they
/// share the process), and checks that every viewer got every event once, in order, through the answer to the end.
/// </summary>
/// <remarks><c>dotnet run -c Release --project bench/Baton.Benchmarks -- sse [VIEWERS] [STEPS]</c> (100 and 100 by default)</remarks>
public static class SseViewersProbe
{
    public static async Task RunAsync(string[] args)
    {
        var viewers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        var steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
        var dir = Directory.CreateTempSubdirectory("baton-sse-probe-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "long.yaml"), Workflow(steps)).ConfigureAwait(false);
            await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = Path.Combine(dir.FullName, "baton.db") });
            var (started, address) = await LoopbackBatonServer.StartAsync(
                o =>
                {
                    o.WorkflowFiles.Add(dir.FullName);
                    o.Store = store;
                },
                dashboard: false,
                minimumLogLevel: LogLevel.Warning).ConfigureAwait(false);
            await using var app = started;
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = viewers + 8 };
            using var client = new HttpClient(handler) { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };

            using var start = await client.PostAsync("/api/runs", new StringContent("""{"workflow":"long"}""", Encoding.UTF8, "application/json")).ConfigureAwait(false);
            var runId = JsonNode.Parse(await start.Content.ReadAsStringAsync().ConfigureAwait(false))!["runId"]!.GetValue<string>();

            // One viewer reads up to the question: the run waits, its archive is complete up to there.
            var first = new Viewer(client, runId);
            var firstDone = first.ReadAsync();
            await first.Waiting.Task.ConfigureAwait(false);
            var waitingEvents = first.Count;
            var heapOne = Heap();

            var others = Enumerable.Range(1, viewers - 1).Select(_ => new Viewer(client, runId)).ToArray();
            var clock = Stopwatch.StartNew();
            var done = others.Select(v => v.ReadAsync()).ToList();
            await Task.WhenAll(others.Select(v => v.Waiting.Task)).ConfigureAwait(false);
            var caughtUp = clock.Elapsed;
            var heapAll = Heap();
            var workingSet = Process.GetCurrentProcess().WorkingSet64;

            clock.Restart();
            using var answer = await client.PostAsync($"/api/runs/{runId}/answer", new StringContent("""{"value":"yes"}""", Encoding.UTF8, "application/json")).ConfigureAwait(false);
            if (answer.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"the answer was refused: {answer.StatusCode}");
            done.Add(firstDone);
            await Task.WhenAll(done).ConfigureAwait(false);
            var toEnd = clock.Elapsed;
            var all = others.Prepend(first).ToArray();
            var total = all[0].Count;
            var exact = all.All(v => v.InOrderOnce && v.Count == total && v.Ended);
            var heapAfter = Heap();
            // The clients' pooled connections (and their buffers) go; Kestrel lets go of its side as the sockets close.
            client.Dispose();
            handler.Dispose();
            var heapClosed = Heap();

            Console.WriteLine($"{viewers} viewers of one run ({steps * 2} steps and a question; {waitingEvents} events before the question, {total} in all)");
            Console.WriteLine("| figure | value |");
            Console.WriteLine("|---|---:|");
            Console.WriteLine($"| managed heap, 1 viewer connected (run waiting) | {heapOne / 1024.0:N0} KiB |");
            Console.WriteLine($"| managed heap, {viewers} viewers connected and caught up | {heapAll / 1024.0:N0} KiB |");
            Console.WriteLine($"| bytes per extra viewer (server and client in one process) | {(heapAll - heapOne) / (double)(viewers - 1):N0} B |");
            Console.WriteLine($"| working set with {viewers} viewers | {workingSet / 1024.0 / 1024.0:N1} MiB |");
            Console.WriteLine($"| managed heap after every stream ended (connections kept alive) | {heapAfter / 1024.0:N0} KiB |");
            Console.WriteLine($"| managed heap after the clients closed their connections | {heapClosed / 1024.0:N0} KiB |");
            Console.WriteLine($"| {viewers - 1} viewers caught up ({waitingEvents} events each) | {caughtUp.TotalMilliseconds:N0} ms |");
            Console.WriteLine($"| answer → every viewer read the run's end ({total - waitingEvents} events each) | {toEnd.TotalMilliseconds:N0} ms |");
            Console.WriteLine($"| every viewer got every event once, in order, to the end | {(exact ? "yes" : "NO")} |");
            if (!exact) throw new InvalidOperationException("a viewer lost or repeated an event");
        }
        finally
        {
            try
            {
                dir.Delete(recursive: true);
            }
            catch (IOException)
            {
                // SQLite may still hold the file: a temp folder left behind is harmless.
            }
        }
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string Workflow(int steps)
    {
        var text = new StringBuilder("version: 1\nname: long\nagents:\n");
        for (var i = 1; i <= steps * 2; i++) text.Append(CultureInfo.InvariantCulture, $"  s{i}: {{ template: \"step {i} of a long run, after: {{{{ input }}}}\" }}\n");
        text.Append("workflow:\n  sequential:\n");
        for (var i = 1; i <= steps; i++) text.Append(CultureInfo.InvariantCulture, $"    - s{i}\n");
        text.Append("    - ask: { prompt: \"Go on?\", choices: [yes, no] }\n");
        for (var i = steps + 1; i <= steps * 2; i++) text.Append(CultureInfo.InvariantCulture, $"    - s{i}\n");
        return text.ToString();
    }

    /// <summary>One client reading the stream line by line, checking the ids go 1, 2, 3... with none missing or repeated.</summary>
    private sealed class Viewer(HttpClient client, string runId)
    {
        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count { get; private set; }

        public bool InOrderOnce { get; private set; } = true;

        public bool Ended { get; private set; }

        public async Task ReadAsync()
        {
            using var response = await client.GetAsync($"/api/runs/{runId}/events", HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync().ConfigureAwait(false));
            long expected = 1;
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    if (long.Parse(line[4..], CultureInfo.InvariantCulture) != expected++) InOrderOnce = false;
                    Count++;
                }
                else if (line.Contains("\"type\":\"runWaiting\"", StringComparison.Ordinal))
                {
                    Waiting.TrySetResult();
                }
                else if (line.Contains("\"type\":\"runEnded\"", StringComparison.Ordinal))
                {
                    Ended = true;
                }
            }
        }
    }
}
