using System.Text.Json.Nodes;
using Baton.Testing;

namespace Baton.Server.Tests;

/// <summary>A stream that has nothing to say keeps its connection alive with a comment line.</summary>
public sealed class HeartbeatTests
{
    [Fact]
    public async Task A_waiting_runs_stream_sends_keep_alive_comments_on_the_servers_clock()
    {
        var time = new FakeTime();
        await using var host = await ServerHost.StartAsync(time: time);
        var runId = await host.StartRunAsync("approval", new JsonObject { ["topic"] = "x" });
        using var response = await host.Client.GetAsync($"/api/runs/{runId}/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line && !line.Contains("\"runWaiting\"", StringComparison.Ordinal))
        {
        }

        Assert.Equal("", await reader.ReadLineAsync());
        // Nothing happens in the run: only the clock moving on (15 s by default) brings the next line.
        var next = reader.ReadLineAsync();
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(15));
        time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(": keep-alive", await next.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(time.GetUtcNow() - time.Start >= TimeSpan.FromSeconds(15));
    }
}
