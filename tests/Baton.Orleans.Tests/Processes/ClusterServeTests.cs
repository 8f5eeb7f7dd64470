using Baton.TestSupport;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Baton.Storage;
using Baton.Storage.Postgres;

namespace Baton.Orleans.Tests.Processes;

/// <summary>
/// <c>baton serve --cluster</c> against real workers: a run started, answered, cancelled or forked over HTTP executes on
/// a worker (its lease is held as a silo, never by the server), and the server streams its events from the store's journal.
/// </summary>
[Collection(nameof(WorkerProcessTests))]
public sealed class ClusterServeTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(180);
    private readonly string _folder = Directory.CreateTempSubdirectory("baton-cluster-serve-").FullName;
    private readonly List<IDisposable> _processes = [];
    private readonly HttpClient _http = new() { Timeout = Bound };
    private PostgresRunStore _store = null!;

    public async Task InitializeAsync() => _store = await PostgresRunStore.OpenAsync(new PostgresRunStoreOptions { ConnectionString = ClusterServers.Postgres });

    public async Task DisposeAsync()
    {
        foreach (var process in _processes) process.Dispose();
        _http.Dispose();
        await _store.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    /// <summary>Two steps, the second a model call slow enough (2 s) to see who holds the run while it executes.</summary>
    private string WriteWorkflow(string name, bool ask, int delaySeconds = 2)
    {
        File.WriteAllText(Path.Combine(_folder, $"{name}.yaml"), $$"""
            version: 1
            name: {{name}}
            models:
              quick: { provider: scripted, replies: ["drafted"] }
              slow: { provider: scripted, replies: ["published"], delay: {{delaySeconds}}s }
            agents:
              draft: { model: quick, instructions: "Draft it." }
              publish: { model: slow, instructions: "Publish it." }
            workflow:
              sequential:
                - draft
            {{(ask ? "    - ask: { prompt: \"Publish?\", choices: [yes, no] }" : "")}}
                - publish
            """);
        return _folder;
    }

    private async Task<(List<WorkerProcess> Workers, ServeProcess Server)> StartAsync(int database, int workers)
    {
        var cluster = ClusterServers.FreshCluster(database);
        var started = new List<WorkerProcess>();
        for (var i = 0; i < workers; i++)
        {
            var worker = await WorkerProcess.StartAsync(cluster, ClusterServers.Postgres);
            _processes.Add(worker);
            started.Add(worker);
        }

        var server = await ServeProcess.StartAsync(_folder, "--cluster", cluster, "--store", ClusterServers.Postgres);
        _processes.Add(server);
        return (started, server);
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(ServeProcess server, HttpMethod method, string path, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(server.Address, path));
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private async Task<string> StartRunAsync(ServeProcess server, string workflow)
    {
        var (status, body) = await SendAsync(server, HttpMethod.Post, "/api/runs", new JsonObject { ["workflow"] = workflow });
        Assert.True(status == HttpStatusCode.Accepted, $"{status}: {body?.ToJsonString()} {server.Stderr}");
        return body!["runId"]!.GetValue<string>();
    }

    /// <summary>Polls the shared store until the run has the status, and returns every lease owner seen while it ran.</summary>
    private async Task<HashSet<string>> WaitForStatusAsync(string runId, RunStatus status)
    {
        var holders = new HashSet<string>(StringComparer.Ordinal);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < Bound)
        {
            var record = await _store.GetRunAsync(runId);
            if (record is { Status: RunStatus.Running, LeaseOwner: { } owner }) holders.Add(owner);
            if (record?.Status == status) return holders;
            await Task.Delay(50);
        }

        throw new TimeoutException($"run {runId} did not become {status}: {(await _store.GetRunAsync(runId))?.Status}");
    }

    /// <summary>Polls the shared store until the run executes, and returns who holds it.</summary>
    private async Task<string> HolderWhileRunningAsync(string runId)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < Bound)
        {
            if (await _store.GetRunAsync(runId) is { Status: RunStatus.Running, LeaseOwner: { } owner }) return owner;
            await Task.Delay(50);
        }

        throw new TimeoutException($"run {runId} was not seen executing");
    }

    /// <summary>Reads a run's event stream until the server ends it: each event's id and JSON.</summary>
    private async Task<List<(long Id, JsonObject Data)>> ReadEventsAsync(ServeProcess server, string runId, long? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.Address, $"/api/runs/{runId}/events"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is { } last) request.Headers.Add("Last-Event-ID", last.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = new List<(long, JsonObject)>();
        if (response.StatusCode == HttpStatusCode.NoContent) return events;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        long id = 0;
        while (await reader.ReadLineAsync().WaitAsync(Bound) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) events.Add((id, JsonNode.Parse(line[6..])!.AsObject()));
        }

        return events;
    }

    private static string Type(JsonObject e) => e["type"]!.GetValue<string>();

    [ClusterFact]
    public async Task A_run_started_over_http_executes_on_a_worker_and_its_stream_delivers_its_steps_live()
    {
        var name = $"publish-{Guid.NewGuid():N}";
        WriteWorkflow(name, ask: false);
        var (workers, server) = await StartAsync(database: 13, workers: 1);

        var runId = await StartRunAsync(server, name);
        // Read live while the run executes on the worker: its stream ends when the run does.
        var streaming = ReadEventsAsync(server, runId);
        var holders = await WaitForStatusAsync(runId, RunStatus.Succeeded);
        var events = await streaming;

        Assert.NotEmpty(holders);
        Assert.All(holders, h => Assert.Contains(workers, w => w.Owner == h));
        Assert.DoesNotContain(holders, h => h.Contains($":{server.ProcessId}:", StringComparison.Ordinal));
        Assert.Equal(["runStarted", "stepCompleted", "stepCompleted", "runEnded"], events.Select(e => Type(e.Data)));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Id));
        Assert.Equal("published", events[^1].Data["output"]!.GetValue<string>());
        Assert.Equal("succeeded", events[^1].Data["status"]!.GetValue<string>());

        // Reconnecting after the second event gets exactly the rest, with the same ids.
        var rest = await ReadEventsAsync(server, runId, lastEventId: 2);
        Assert.Equal(events.Skip(2).Select(e => (e.Id, e.Data.ToJsonString())), rest.Select(e => (e.Id, e.Data.ToJsonString())));

        var (status, report) = await SendAsync(server, HttpMethod.Get, $"/api/runs/{runId}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("succeeded", report!["status"]!.GetValue<string>());
        var (listed, list) = await SendAsync(server, HttpMethod.Get, $"/api/runs?workflow={name}");
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Equal(runId, Assert.Single(list!.AsArray())!["runId"]!.GetValue<string>());

        // A fork of it is made here and continued on the worker: only what follows the fork point runs again.
        var draftEntry = (await _store.ReadJournalAsync(runId, 0)).First(e => e.Kind == JournalEntryKind.StepCompleted).Sequence;
        var (forked, fork) = await SendAsync(server, HttpMethod.Post, $"/api/runs/{runId}/fork", new JsonObject { ["at"] = draftEntry });
        Assert.True(forked == HttpStatusCode.Accepted, $"{forked}: {fork?.ToJsonString()}");
        var forkId = fork!["runId"]!.GetValue<string>();
        var forkHolders = await WaitForStatusAsync(forkId, RunStatus.Succeeded);
        Assert.All(forkHolders, h => Assert.Contains(workers, w => w.Owner == h));
        var (pastEnd, _) = await SendAsync(server, HttpMethod.Post, $"/api/runs/{runId}/fork", new JsonObject { ["at"] = 1000 });
        Assert.Equal(HttpStatusCode.BadRequest, pastEnd);
    }

    [ClusterFact]
    public async Task An_answer_over_http_continues_the_run_on_a_worker_and_bad_answers_change_nothing()
    {
        var name = $"approve-{Guid.NewGuid():N}";
        WriteWorkflow(name, ask: true);
        var (workers, server) = await StartAsync(database: 14, workers: 2);
        var runId = await StartRunAsync(server, name);
        await WaitForStatusAsync(runId, RunStatus.Waiting);

        // The stream of a waiting run tells its question and stays open; it goes on with the answer.
        var streaming = ReadEventsAsync(server, runId);

        var (refused, refusal) = await SendAsync(server, HttpMethod.Post, $"/api/runs/{runId}/answer", new JsonObject { ["value"] = "maybe" });
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal("answer_refused", refusal!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(RunStatus.Waiting, (await _store.GetRunAsync(runId))!.Status);
        var (unknown, _) = await SendAsync(server, HttpMethod.Post, "/api/runs/no-such-run/answer", new JsonObject { ["value"] = "yes" });
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        var (noValue, _) = await SendAsync(server, HttpMethod.Post, $"/api/runs/{runId}/answer", new JsonObject());
        Assert.Equal(HttpStatusCode.BadRequest, noValue);

        var (answered, answer) = await SendAsync(server, HttpMethod.Post, $"/api/runs/{runId}/answer", new JsonObject { ["value"] = "yes" });
        Assert.True(answered == HttpStatusCode.Accepted, $"{answered}: {answer?.ToJsonString()}");
        var holders = await WaitForStatusAsync(runId, RunStatus.Succeeded);
        Assert.NotEmpty(holders);
        Assert.All(holders, h => Assert.Contains(workers, w => w.Owner == h));

        var events = await streaming;
        Assert.Equal(["runStarted", "stepCompleted", "stepWaiting", "stepCompleted", "stepCompleted", "runEnded"], events.Select(e => Type(e.Data)));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Id));

        var (again, notWaiting) = await SendAsync(server, HttpMethod.Post, $"/api/runs/{runId}/answer", new JsonObject { ["value"] = "yes" });
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal("not_waiting", notWaiting!["error"]!["code"]!.GetValue<string>());
        var (resumeEnded, _) = await SendAsync(server, HttpMethod.Post, $"/api/runs/{runId}/resume", new JsonObject());
        Assert.Equal(HttpStatusCode.Conflict, resumeEnded);
    }

    [ClusterFact]
    public async Task Cancel_over_http_ends_a_waiting_run_and_stops_a_running_one_on_its_worker()
    {
        var name = $"approve-{Guid.NewGuid():N}";
        WriteWorkflow(name, ask: true);
        var slowName = $"slow-{Guid.NewGuid():N}";
        WriteWorkflow(slowName, ask: false, delaySeconds: 300);
        var (workers, server) = await StartAsync(database: 15, workers: 1);
        var runId = await StartRunAsync(server, name);
        await WaitForStatusAsync(runId, RunStatus.Waiting);
        var streaming = ReadEventsAsync(server, runId);

        var (cancelled, body) = await SendAsync(server, HttpMethod.Post, $"/api/runs/{runId}/cancel", new JsonObject());
        Assert.True(cancelled == HttpStatusCode.OK, $"{cancelled}: {body?.ToJsonString()}");
        Assert.Equal("cancelled", body!["status"]!.GetValue<string>());
        Assert.Equal(RunStatus.Cancelled, (await _store.GetRunAsync(runId))!.Status);
        Assert.Empty(await _store.ListHumanRequestsAsync(runId, openOnly: true));

        var events = await streaming;
        Assert.Equal("runEnded", Type(events[^1].Data));
        Assert.Equal("cancelled", events[^1].Data["status"]!.GetValue<string>());
        var (again, ended) = await SendAsync(server, HttpMethod.Post, $"/api/runs/{runId}/cancel", new JsonObject());
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal("already_ended", ended!["error"]!["code"]!.GetValue<string>());
        var (unknown, _) = await SendAsync(server, HttpMethod.Post, "/api/runs/no-such-run/cancel", new JsonObject());
        Assert.Equal(HttpStatusCode.NotFound, unknown);

        // A run executing on a worker (its model call takes 5 minutes) is stopped there.
        var slowId = await StartRunAsync(server, slowName);
        var holder = await HolderWhileRunningAsync(slowId);
        Assert.Contains(workers, w => w.Owner == holder);
        var (stopped, stoppedBody) = await SendAsync(server, HttpMethod.Post, $"/api/runs/{slowId}/cancel", new JsonObject());
        Assert.True(stopped == HttpStatusCode.OK, $"{stopped}: {stoppedBody?.ToJsonString()}");
        Assert.Equal("cancelled", stoppedBody!["status"]!.GetValue<string>());
        Assert.Equal(RunStatus.Cancelled, (await _store.GetRunAsync(slowId))!.Status);
    }

    [Fact]
    public async Task Serve_with_a_cluster_refuses_a_store_that_is_not_PostgreSQL()
    {
        var info = BatonCli.StartInfo("serve", "--port", "0", "--cluster", "127.0.0.1:6390", "--store", Path.Combine(_folder, "runs.db"));
        info.WorkingDirectory = _folder;
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Bound);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--cluster needs a PostgreSQL store", await stderr);
    }
}
