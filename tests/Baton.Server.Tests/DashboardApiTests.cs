using System.Net;
using System.Text.Json.Nodes;

namespace Baton.Server.Tests;

/// <summary>What the API adds for the dashboard: the graph as JSON, steps' inputs and entries, runs' usage, the feed of every run, and the page itself.</summary>
public sealed class DashboardApiTests
{
    [Fact]
    public async Task The_report_tells_each_steps_input_and_the_journal_entry_that_ended_it()
    {
        await using var host = await ServerHost.StartAsync();
        var runId = await host.StartRunAsync("approval", new JsonObject { ["topic"] = "the release" });
        await host.ReadEventsAsync(runId, stop: e => e["type"]!.GetValue<string>() == "runWaiting");
        Assert.Equal(HttpStatusCode.Accepted, (await host.PostAsync($"/api/runs/{runId}/answer", new JsonObject { ["value"] = "yes" })).Status);
        await host.ReadEventsAsync(runId);

        var steps = (await host.GetAsync($"/api/runs/{runId}?include=input,entry")).Body!["steps"]!.AsArray().Select(s => s!.AsObject()).ToDictionary(s => s["path"]!.GetValue<string>());
        // The first step gets the run's inputs; each next one the output of the step before it.
        Assert.Equal("the release", steps["draft"]["input"]!["topic"]!.GetValue<string>());
        Assert.Equal("Draft about the topic.", steps["ask"]["input"]!.GetValue<string>());
        Assert.Equal("yes", steps["publish"]["input"]!.GetValue<string>());
        Assert.Equal("Published: yes", steps["publish"]["output"]!.GetValue<string>());

        // Entries count from the run's start: forking at the draft's entry runs the question again.
        var journal = await host.Store.ReadJournalAsync(runId);
        foreach (var (path, step) in steps)
        {
            var entry = step["entry"]!.GetValue<long>();
            Assert.Equal(path, journal.Single(e => e.Sequence == entry).StepId);
        }

        // Not asked for, they are not there: the report's steps keep the format's shape.
        var plain = (await host.GetAsync($"/api/runs/{runId}")).Body!["steps"]![0]!.AsObject();
        Assert.Equal(["id", "path", "parent", "agent", "status", "attempts", "startedAt", "endedAt", "output", "error", "usage"], plain.Select(p => p.Key));
        var (bad, badBody) = await host.GetAsync($"/api/runs/{runId}?include=input,secrets");
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Contains("'secrets'", badBody!["error"]!["message"]!.GetValue<string>());

        var (status, fork) = await host.PostAsync($"/api/runs/{runId}/fork", new JsonObject { ["at"] = steps["draft"]["entry"]!.GetValue<long>() });
        Assert.Equal(HttpStatusCode.Accepted, status);
        var forkId = fork!["runId"]!.GetValue<string>();
        var events = await host.ReadEventsAsync(forkId, stop: e => e["type"]!.GetValue<string>() == "runWaiting");
        Assert.DoesNotContain(events, e => e.Data["type"]!.GetValue<string>() == "stepStarted" && e.Data["path"]!.GetValue<string>() == "draft");
        Assert.Contains(events, e => e.Data["type"]!.GetValue<string>() == "stepWaiting" && e.Data["path"]!.GetValue<string>() == "ask");
    }

    [Fact]
    public async Task The_graph_as_JSON_has_every_step_nested_scope_and_edge_without_the_hidden_inputs_step()
    {
        await using var host = await ServerHost.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(host.Folder, "panel.yaml"), """
            version: 1
            name: panel
            agents:
              a: { template: "A" }
              b: { template: "B" }
              judge: { template: "{{ input }}" }
            workflow:
              sequential:
                - parallel:
                    branches: { left: a, right: b }
                    merge: object
                - judge
            """);
        await using var panelHost = await host.RestartAsync();
        var runId = await panelHost.StartRunAsync("panel");
        await panelHost.ReadEventsAsync(runId);

        var (status, graph) = await panelHost.GetAsync($"/api/runs/{runId}/graph?format=json");
        Assert.Equal(HttpStatusCode.OK, status);
        var steps = graph!["steps"]!.AsArray();
        Assert.Equal(["parallel", "judge"], steps.Select(s => s!["id"]!.GetValue<string>()));
        Assert.Equal("parallel", graph["entry"]!.GetValue<string>());
        Assert.Equal("parallel", steps[0]!["kind"]!.GetValue<string>());
        var branches = steps[0]!["children"]!.AsArray();
        Assert.Equal(["left", "right"], branches.Select(b => b!["name"]!.GetValue<string>()));
        Assert.Equal("a", branches[0]!["steps"]![0]!["agent"]!.GetValue<string>());
        var edge = Assert.Single(graph["edges"]!.AsArray());
        Assert.Equal(("parallel", "judge", false), (edge!["from"]!.GetValue<string>(), edge["to"]!.GetValue<string>(), edge["error"]!.GetValue<bool>()));

        // Mermaid stays the default; an unknown format is refused.
        Assert.StartsWith("flowchart TD", (await panelHost.GetAsync($"/api/runs/{runId}/graph")).Body!.GetValue<string>());
        var (bad, badBody) = await panelHost.GetAsync($"/api/runs/{runId}/graph?format=svg");
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("invalid_query", badBody!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await panelHost.GetAsync("/api/runs/nope/graph?format=json")).Status);
    }

    [Fact]
    public async Task The_runs_list_tells_what_each_run_spent()
    {
        await using var host = await ServerHost.StartAsync();
        var runId = await host.StartRunAsync("report");
        await host.ReadEventsAsync(runId);
        var report = (await host.GetAsync($"/api/runs/{runId}")).Body!;
        var listed = Assert.Single((await host.GetAsync("/api/runs?include=usage")).Body!.AsArray());
        Assert.True(report["usage"]!["inputTokens"]!.GetValue<long>() > 0);
        Assert.Equal(report["usage"]!.ToJsonString(), listed!["usage"]!.ToJsonString());
        // Asked again (the sum of an ended run is kept): the same.
        Assert.Equal(report["usage"]!.ToJsonString(), (await host.GetAsync("/api/runs?include=usage")).Body![0]!["usage"]!.ToJsonString());
        // Not asked for, it is not there; asked for something else, 400.
        Assert.Null((await host.GetAsync("/api/runs")).Body![0]!["usage"]);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.GetAsync("/api/runs?include=cost")).Status);
    }

    [Fact]
    public async Task The_feed_tells_every_runs_changes_live_and_resumes_with_Last_Event_ID()
    {
        await using var host = await ServerHost.StartAsync();
        using var feed = await FeedReader.OpenAsync(host.Client, null);
        var first = await host.StartRunAsync("approval", new JsonObject { ["topic"] = "x" });
        var seen = await feed.ReadUntilAsync(e => e["type"]!.GetValue<string>() == "runWaiting" && e["runId"]!.GetValue<string>() == first);
        Assert.Equal("runStarted", seen[0].Data["type"]!.GetValue<string>());
        Assert.Equal("approval", seen[0].Data["workflow"]!.GetValue<string>());
        Assert.All(seen, e => Assert.Null(e.Data["output"]));
        feed.Dispose();

        // While nobody listens, the run is answered and another starts; a reader back with the last id gets exactly those.
        Assert.Equal(HttpStatusCode.Accepted, (await host.PostAsync($"/api/runs/{first}/answer", new JsonObject { ["value"] = "no" })).Status);
        await host.ReadEventsAsync(first);
        var second = await host.StartRunAsync("report");
        await host.ReadEventsAsync(second);
        using var again = await FeedReader.OpenAsync(host.Client, seen[^1].Id);
        var rest = await again.ReadUntilAsync(e => e["type"]!.GetValue<string>() == "runEnded" && e["runId"]!.GetValue<string>() == second);
        var ids = seen.Concat(rest).Select(e => e.Id).ToArray();
        Assert.Equal(Enumerable.Range((int)ids[0], ids.Length).Select(i => (long)i), ids);
        Assert.Contains(rest, e => e.Data["type"]!.GetValue<string>() == "runEnded" && e.Data["runId"]!.GetValue<string>() == first && e.Data["status"]!.GetValue<string>() == "succeeded");
        Assert.Contains(rest, e => e.Data["type"]!.GetValue<string>() == "stepCompleted" && e.Data["runId"]!.GetValue<string>() == second && e.Data["usage"] is not null);
    }

    [Fact]
    public async Task The_dashboard_is_served_at_the_root_with_its_files_and_headers_that_keep_it_safe()
    {
        await using var host = await ServerHost.StartAsync(token: "secret-token");
        using var page = await host.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script type=\"module\" src=\"/dashboard/app.js\"></script>", html);
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        // The page holds no data: served without the token, which the API still wants.
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.GetAsync("/api/runs")).Status);

        foreach (var (file, type) in (ValueTuple<string, string>[])[("app.js", "text/javascript"), ("run-graph.js", "text/javascript"), ("app.css", "text/css"), ("favicon.svg", "image/svg+xml")])
        {
            using var response = await host.Client.GetAsync($"/dashboard/{file}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType!.MediaType);
            // Asked again with its tag: not sent again.
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/dashboard/{file}");
            request.Headers.IfNoneMatch.Add(response.Headers.ETag!);
            using var cached = await host.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
        }

        using var missing = await host.Client.GetAsync("/dashboard/nope.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}

/// <summary>Reads <c>GET /api/events</c> as it comes, from a connection opened before the runs it should see start.</summary>
internal sealed class FeedReader : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private FeedReader(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public static async Task<FeedReader> OpenAsync(HttpClient client, long? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/events");
        if (lastEventId is { } last) request.Headers.Add("Last-Event-ID", last.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        return new FeedReader(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>The events up to and including the first that <paramref name="last"/> accepts.</summary>
    public async Task<List<(long Id, JsonObject Data)>> ReadUntilAsync(Func<JsonObject, bool> last)
    {
        var events = new List<(long, JsonObject)>();
        long id = 0;
        while (await _reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var data = JsonNode.Parse(line[6..])!.AsObject();
                events.Add((id, data));
                if (last(data)) return events;
            }
        }

        throw new InvalidOperationException("the feed ended");
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
    }
}
