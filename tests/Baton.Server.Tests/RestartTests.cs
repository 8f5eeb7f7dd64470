using System.Net;
using System.Text.Json.Nodes;

namespace Baton.Server.Tests;

/// <summary>A server that restarts on the same store serves the runs the last one started: their events from the journal, their questions.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task After_a_restart_a_waiting_run_is_told_from_its_journal_and_answered_here()
    {
        await using var first = await ServerHost.StartAsync();
        var waitingId = await first.StartRunAsync("approval", new JsonObject { ["topic"] = "the release" });
        await first.ReadEventsAsync(waitingId, stop: e => e["type"]!.GetValue<string>() == "stepWaiting");
        // Refused, but it lets the run finish suspending before the server stops.
        Assert.Equal(HttpStatusCode.BadRequest, (await first.PostAsync($"/api/runs/{waitingId}/answer", new JsonObject { ["value"] = "later" })).Status);
        var doneId = await first.StartRunAsync("report");
        await first.ReadEventsAsync(doneId);

        await using var second = await first.RestartAsync();
        var told = await second.ReadEventsAsync(waitingId, stop: e => e["type"]!.GetValue<string>() == "stepWaiting");
        Assert.Equal(["runStarted", "stepCompleted", "stepWaiting"], told.Select(e => e.Data["type"]!.GetValue<string>()));
        Assert.Equal([1L, 2L, 3L], told.Select(e => e.Id));
        Assert.Equal("draft", told[1].Data["path"]!.GetValue<string>());
        Assert.Equal("ask", told[2].Data["path"]!.GetValue<string>());

        var (answered, body) = await second.PostAsync($"/api/runs/{waitingId}/answer", new JsonObject { ["value"] = "yes" });
        Assert.Equal(HttpStatusCode.Accepted, answered);
        Assert.True(body!["resumed"]!.GetValue<bool>());
        var rest = await second.ReadEventsAsync(waitingId, lastEventId: 3);
        Assert.Equal(Enumerable.Range(4, rest.Count).Select(i => (long)i), rest.Select(e => e.Id));
        Assert.Equal("succeeded", rest[^1].Data["status"]!.GetValue<string>());
        Assert.Equal("Published: yes", (await second.GetAsync($"/api/runs/{waitingId}")).Body!["output"]!.GetValue<string>());

        // A run that ended before the restart: its journal's events, then the stream ends.
        var done = await second.ReadEventsAsync(doneId);
        Assert.Equal(["runStarted", "stepCompleted", "stepCompleted", "runEnded"], done.Select(e => e.Data["type"]!.GetValue<string>()));
        Assert.Equal(["researcher", "writer"], done.Where(e => e.Data["type"]!.GetValue<string>() == "stepCompleted").Select(e => e.Data["path"]!.GetValue<string>()));
    }
}
