using System.Net;
using System.Text.Json.Nodes;

namespace Baton.Server.Tests;

/// <summary>Runs that wait for a person, the event stream across a reconnect, and cancel, resume and fork.</summary>
public sealed class HumanAndControlTests
{
    // The run has asked and let go (its status is waiting in the store).
    private static bool IsWaiting(JsonObject e) => e["type"]!.GetValue<string>() == "runWaiting";

    [Fact]
    public async Task The_event_stream_resumes_with_Last_Event_ID_losing_and_repeating_nothing()
    {
        await using var host = await ServerHost.StartAsync();
        var runId = await host.StartRunAsync("approval", new JsonObject { ["topic"] = "the release" });

        // First connection: read until the run asks, then drop it.
        var first = await host.ReadEventsAsync(runId, stop: IsWaiting);
        var question = first[^2].Data;
        Assert.Equal("stepWaiting", question["type"]!.GetValue<string>());
        Assert.Equal("Publish 'Draft about the topic.'? (yes/no)", question["question"]!.GetValue<string>());
        Assert.Equal("ask", question["path"]!.GetValue<string>());
        Assert.Equal(["yes", "no"], question["choices"]!.AsArray().Select(c => c!.GetValue<string>()));

        // A refused answer: 400, and the run keeps waiting with nothing changed.
        var before = await host.SnapshotAsync();
        var (refused, refusedBody) = await host.PostAsync($"/api/runs/{runId}/answer", new JsonObject { ["value"] = "maybe" });
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal("answer_refused", refusedBody!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(before, await host.SnapshotAsync());
        var waiting = (await host.GetAsync($"/api/runs/{runId}")).Body!;
        Assert.Equal("waiting", waiting["status"]!.GetValue<string>());
        Assert.Equal("Publish 'Draft about the topic.'? (yes/no)", waiting["steps"]!.AsArray().Single(s => s!["status"]!.GetValue<string>() == "waiting")!["question"]!.GetValue<string>());

        var (answered, answeredBody) = await host.PostAsync($"/api/runs/{runId}/answer", new JsonObject { ["value"] = "YES" });
        Assert.Equal(HttpStatusCode.Accepted, answered);
        Assert.True(answeredBody!["resumed"]!.GetValue<bool>());

        // Second connection: from the last id read, to the end.
        var rest = await host.ReadEventsAsync(runId, lastEventId: first[^1].Id);
        Assert.Equal("runEnded", rest[^1].Data["type"]!.GetValue<string>());
        Assert.Equal("succeeded", rest[^1].Data["status"]!.GetValue<string>());
        var ids = first.Concat(rest).Select(e => e.Id).ToArray();
        Assert.Equal(Enumerable.Range(1, ids.Length).Select(i => (long)i), ids);

        // A fresh reader gets exactly the same events; one that has read them all is told there is no more (204).
        var whole = await host.ReadEventsAsync(runId);
        Assert.Equal(first.Concat(rest).Select(e => (e.Id, e.Data.ToJsonString())), whole.Select(e => (e.Id, e.Data.ToJsonString())));
        Assert.Empty(await host.ReadEventsAsync(runId, lastEventId: ids[^1]));
        Assert.Equal("Published: yes", (await host.GetAsync($"/api/runs/{runId}")).Body!["output"]!.GetValue<string>());
    }

    [Fact]
    public async Task Answering_a_run_that_does_not_wait_is_409_and_changes_nothing()
    {
        await using var host = await ServerHost.StartAsync();
        var runId = await host.StartRunAsync("report");
        await host.ReadEventsAsync(runId);
        var before = await host.SnapshotAsync();
        var (status, body) = await host.PostAsync($"/api/runs/{runId}/answer", new JsonObject { ["value"] = "yes" });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("not_waiting", body!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await host.PostAsync($"/api/runs/{runId}/answer", new JsonObject())).Status);
        Assert.Equal(before, await host.SnapshotAsync());
    }

    [Fact]
    public async Task A_waiting_run_is_cancelled_for_good_and_its_stream_ends()
    {
        await using var host = await ServerHost.StartAsync();
        var runId = await host.StartRunAsync("approval", new JsonObject { ["topic"] = "x" });
        var first = await host.ReadEventsAsync(runId, stop: IsWaiting);

        var (status, body) = await host.PostAsync($"/api/runs/{runId}/cancel");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("cancelled", body!["status"]!.GetValue<string>());
        var report = (await host.GetAsync($"/api/runs/{runId}")).Body!;
        Assert.Equal("cancelled", report["status"]!.GetValue<string>());
        Assert.Equal("cancelled", report["error"]!["code"]!.GetValue<string>());

        var rest = await host.ReadEventsAsync(runId, lastEventId: first[^1].Id);
        // It was cancelled (runEnded): the stream ends there.
        var ended = Assert.Single(rest);
        Assert.Equal("runEnded", ended.Data["type"]!.GetValue<string>());
        Assert.Equal("cancelled", ended.Data["status"]!.GetValue<string>());
        Assert.Equal(first[^1].Id + 1, ended.Id);

        var before = await host.SnapshotAsync();
        Assert.Equal(HttpStatusCode.Conflict, (await host.PostAsync($"/api/runs/{runId}/cancel")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await host.PostAsync($"/api/runs/{runId}/resume")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await host.PostAsync($"/api/runs/{runId}/answer", new JsonObject { ["value"] = "yes" })).Status);
        Assert.Equal(before, await host.SnapshotAsync());
    }

    [Fact]
    public async Task A_running_run_is_cancelled_promptly_and_its_stream_ends()
    {
        await using var host = await ServerHost.StartAsync();
        var runId = await host.StartRunAsync("slow");
        var first = await host.ReadEventsAsync(runId, stop: e => e["type"]!.GetValue<string>() == "stepStarted");
        Assert.Equal("running", (await host.GetAsync($"/api/runs/{runId}")).Body!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, (await host.PostAsync($"/api/runs/{runId}/resume")).Status);

        var (status, body) = await host.PostAsync($"/api/runs/{runId}/cancel");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("cancelled", body!["status"]!.GetValue<string>());
        var rest = await host.ReadEventsAsync(runId, lastEventId: first[^1].Id);
        Assert.Equal("runEnded", rest[^1].Data["type"]!.GetValue<string>());
        Assert.Equal("cancelled", rest[^1].Data["status"]!.GetValue<string>());
        Assert.Equal("cancelled", (await host.GetAsync($"/api/runs/{runId}")).Body!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_finished_run_is_forked_with_edited_state_and_cannot_be_resumed()
    {
        await using var host = await ServerHost.StartAsync();
        var runId = await host.StartRunAsync("report");
        await host.ReadEventsAsync(runId);
        var before = await host.SnapshotAsync();

        var (resume, resumeBody) = await host.PostAsync($"/api/runs/{runId}/resume");
        Assert.Equal(HttpStatusCode.Conflict, resume);
        Assert.Contains("already succeeded", resumeBody!["error"]!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await host.PostAsync($"/api/runs/{runId}/fork", new JsonObject { ["at"] = 0 })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.PostAsync($"/api/runs/{runId}/fork", new JsonObject { ["at"] = 999 })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.PostAsync($"/api/runs/{runId}/fork", new JsonObject { ["at"] = 1, ["state"] = "x" })).Status);
        Assert.Equal(before, await host.SnapshotAsync());

        var (forked, forkBody) = await host.PostAsync($"/api/runs/{runId}/fork", new JsonObject { ["at"] = 2, ["state"] = new JsonObject { ["note"] = "edited" } });
        Assert.Equal(HttpStatusCode.Accepted, forked);
        var forkId = forkBody!["runId"]!.GetValue<string>();
        Assert.NotEqual(runId, forkId);
        var events = await host.ReadEventsAsync(forkId);
        Assert.Equal("succeeded", events[^1].Data["status"]!.GetValue<string>());
        Assert.Equal("succeeded", (await host.GetAsync($"/api/runs/{forkId}")).Body!["status"]!.GetValue<string>());
        Assert.Equal(2, (await host.GetAsync("/api/runs")).Body!.AsArray().Count);
    }
}
