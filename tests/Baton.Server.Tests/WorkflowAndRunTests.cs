using System.Net;
using System.Text.Json.Nodes;

namespace Baton.Server.Tests;

/// <summary>Listing workflows, starting runs and reading them back, through a real server.</summary>
public sealed class WorkflowAndRunTests
{
    [Fact]
    public async Task Workflows_are_listed_with_their_inputs_and_file()
    {
        await using var host = await ServerHost.StartAsync();
        var (status, body) = await host.GetAsync("/api/workflows");
        Assert.Equal(HttpStatusCode.OK, status);
        var workflows = body!.AsArray();
        Assert.Equal(["approval", "report", "secret", "slow"], workflows.Select(w => w!["name"]!.GetValue<string>()));
        var report = workflows[1]!;
        Assert.Equal("Research, then write.", report["description"]!.GetValue<string>());
        Assert.Equal("string", report["inputs"]!["topic"]!["type"]!.GetValue<string>());
        Assert.Equal("AI trends", report["inputs"]!["topic"]!["default"]!.GetValue<string>());
        Assert.False(report["inputs"]!["pages"]!["required"]!.GetValue<bool>());
        Assert.EndsWith("report.yaml", report["file"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_started_run_is_reported_listed_and_drawn()
    {
        await using var host = await ServerHost.StartAsync();
        var runId = await host.StartRunAsync("report", new JsonObject { ["topic"] = "AI agents" });
        var events = await host.ReadEventsAsync(runId);
        Assert.Equal("runEnded", events[^1].Data["type"]!.GetValue<string>());

        var (status, report) = await host.GetAsync($"/api/runs/{runId}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["runId", "workflow", "status", "output", "steps", "usage", "children", "error"], report!.AsObject().Select(p => p.Key));
        Assert.Equal("succeeded", report["status"]!.GetValue<string>());
        Assert.Equal("Report: adoption of AI agents is rising.", report["output"]!.GetValue<string>());
        Assert.Equal(["researcher", "writer"], report["steps"]!.AsArray().Select(s => s!["path"]!.GetValue<string>()));

        var (listed, runs) = await host.GetAsync("/api/runs?status=succeeded&workflow=report&limit=5");
        Assert.Equal(HttpStatusCode.OK, listed);
        var run = Assert.Single(runs!.AsArray())!;
        Assert.Equal(["runId", "workflow", "status", "startedAt", "endedAt"], run.AsObject().Select(p => p.Key));
        Assert.Equal(runId, run["runId"]!.GetValue<string>());
        Assert.NotNull(run["endedAt"]);
        Assert.Empty((await host.GetAsync("/api/runs?workflow=approval")).Body!.AsArray());

        var (drawn, graph) = await host.GetAsync($"/api/runs/{runId}/graph");
        Assert.Equal(HttpStatusCode.OK, drawn);
        Assert.StartsWith("flowchart", graph!.GetValue<string>());
        Assert.Contains("researcher", graph.GetValue<string>());
    }

    [Fact]
    public async Task Step_events_carry_their_path_and_parent_and_ids_count_from_one()
    {
        await using var host = await ServerHost.StartAsync();
        var runId = await host.StartRunAsync("report");
        var events = await host.ReadEventsAsync(runId);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Id));
        Assert.All(events, e => Assert.Equal(runId, e.Data["runId"]!.GetValue<string>()));
        Assert.All(events, e => Assert.NotNull(e.Data["time"]));
        var completed = events.Where(e => e.Data["type"]!.GetValue<string>() == "stepCompleted").Select(e => e.Data).ToArray();
        var writer = Assert.Single(completed, e => e["path"]!.GetValue<string>() == "writer");
        Assert.Null(writer["parent"]);
        Assert.Equal("Report: adoption of AI agents is rising.", writer["output"]!.GetValue<string>());
        // The file's inputs step is the host's, not the user's: no event shows it.
        Assert.DoesNotContain(events, e => e.Data["key"]?.GetValue<string>()?.StartsWith("1:inputs", StringComparison.Ordinal) == true);
        Assert.Equal("runStarted", events[0].Data["type"]!.GetValue<string>());
        Assert.Equal("succeeded", events[^1].Data["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_start_requests_are_refused_with_a_clear_4xx_and_change_nothing()
    {
        await using var host = await ServerHost.StartAsync(maxBody: 4096);
        var before = await host.SnapshotAsync();

        var (unknown, unknownBody) = await host.PostAsync("/api/runs", new JsonObject { ["workflow"] = "reprot" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown);
        Assert.Equal("unknown_workflow", unknownBody!["error"]!["code"]!.GetValue<string>());
        Assert.Contains("did you mean 'report'", unknownBody["error"]!["message"]!.GetValue<string>());

        // Every problem at once: an unknown input, a missing required one, and a wrong type.
        var (bad, badBody) = await host.PostAsync("/api/runs", new JsonObject { ["workflow"] = "approval", ["inputs"] = new JsonObject { ["topc"] = "x" } });
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("invalid_inputs", badBody!["error"]!["code"]!.GetValue<string>());
        var problems = badBody["error"]!["problems"]!.AsArray().Select(p => p!.GetValue<string>()).ToArray();
        Assert.Equal(2, problems.Length);
        Assert.Contains(problems, p => p.Contains("unknown input 'topc'", StringComparison.Ordinal) && p.Contains("did you mean 'topic'", StringComparison.Ordinal));
        Assert.Contains("input 'topic' is required", problems);

        var (typed, typedBody) = await host.PostAsync("/api/runs", new JsonObject { ["workflow"] = "report", ["inputs"] = new JsonObject { ["pages"] = "three", ["topic"] = 4 } });
        Assert.Equal(HttpStatusCode.BadRequest, typed);
        Assert.Equal(2, typedBody!["error"]!["problems"]!.AsArray().Count);

        // A file whose secret is not set is listed, but a run of it is refused before it starts, naming the variable.
        var (secret, secretBody) = await host.PostAsync("/api/runs", new JsonObject { ["workflow"] = "secret" });
        Assert.Equal(HttpStatusCode.BadRequest, secret);
        Assert.Equal("invalid_workflow", secretBody!["error"]!["code"]!.GetValue<string>());
        Assert.Contains("BATON_SERVER_TESTS_UNSET_KEY", secretBody["error"]!["message"]!.GetValue<string>());

        var (notJson, notJsonBody) = await host.PostAsync("/api/runs", "{ not json");
        Assert.Equal(HttpStatusCode.BadRequest, notJson);
        Assert.Equal("invalid_body", notJsonBody!["error"]!["code"]!.GetValue<string>());

        // Found by the fuzzer (Baton.Soak, http): a property named twice, at any depth, is a bad body, not a 500.
        foreach (var twice in new[] { "{\"workflow\": \"report\", \"workflow\": \"approval\"}", "{\"workflow\": \"report\", \"inputs\": {\"topic\": \"a\", \"topic\": \"b\"}}" })
        {
            var (duplicate, duplicateBody) = await host.PostAsync("/api/runs", twice);
            Assert.Equal(HttpStatusCode.BadRequest, duplicate);
            Assert.Equal("invalid_body", duplicateBody!["error"]!["code"]!.GetValue<string>());
        }

        var (noName, _) = await host.PostAsync("/api/runs", new JsonObject { ["inputs"] = new JsonObject() });
        Assert.Equal(HttpStatusCode.BadRequest, noName);

        var huge = new JsonObject { ["workflow"] = "report", ["inputs"] = new JsonObject { ["topic"] = new string('x', 10_000) } };
        var (tooLarge, tooLargeBody) = await host.PostAsync("/api/runs", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge);
        Assert.Equal("body_too_large", tooLargeBody!["error"]!["code"]!.GetValue<string>());

        // A body sent without its length (chunked) is counted as it arrives.
        using (var chunked = new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(huge.ToJsonString()))) })
        {
            chunked.Headers.TransferEncodingChunked = true;
            using var response = await host.Client.SendAsync(chunked);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }

        Assert.Equal(before, await host.SnapshotAsync());
        Assert.Empty((await host.GetAsync("/api/runs")).Body!.AsArray());
    }

    [Fact]
    public async Task An_unknown_run_is_404_on_every_endpoint()
    {
        await using var host = await ServerHost.StartAsync();
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, "/api/runs/nope"), (HttpMethod.Get, "/api/runs/nope/events"), (HttpMethod.Get, "/api/runs/nope/graph"),
            (HttpMethod.Post, "/api/runs/nope/cancel"), (HttpMethod.Post, "/api/runs/nope/resume"),
        })
        {
            var (status, body) = await host.SendAsync(method, path, method == HttpMethod.Post ? new JsonObject() : null);
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal("unknown_run", body!["error"]!["code"]!.GetValue<string>());
        }

        Assert.Equal(HttpStatusCode.NotFound, (await host.PostAsync("/api/runs/nope/answer", new JsonObject { ["value"] = "yes" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await host.PostAsync("/api/runs/nope/fork", new JsonObject { ["at"] = 1 })).Status);
        Assert.Equal("", await host.SnapshotAsync());
    }

    [Fact]
    public async Task Bad_list_queries_are_400()
    {
        await using var host = await ServerHost.StartAsync();
        var (status, body) = await host.GetAsync("/api/runs?status=done");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("succeeded", body!["error"]!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await host.GetAsync("/api/runs?limit=0")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.GetAsync("/api/runs?limit=ten")).Status);
    }
}
