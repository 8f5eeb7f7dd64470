using System.Net;
using System.Text.Json.Nodes;

namespace Baton.Server.Tests;

/// <summary>A server bound beyond loopback needs a bearer token: simulated by configuring one.</summary>
public sealed class TokenTests
{
    [Fact]
    public async Task Without_the_right_token_every_request_is_401_and_nothing_runs()
    {
        await using var host = await ServerHost.StartAsync(token: "s3cret-token");
        var start = new JsonObject { ["workflow"] = "report" };

        var (missing, missingBody) = await host.SendAsync(HttpMethod.Post, "/api/runs", start);
        Assert.Equal(HttpStatusCode.Unauthorized, missing);
        Assert.Equal("unauthorized", missingBody!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.SendAsync(HttpMethod.Post, "/api/runs", start, token: "s3cret-tokeN")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.SendAsync(HttpMethod.Get, "/api/workflows", token: "s3cret")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.SendAsync(HttpMethod.Get, "/api/runs/any/events")).Status);
        Assert.Equal("", await host.SnapshotAsync());

        Assert.Equal(HttpStatusCode.OK, (await host.SendAsync(HttpMethod.Get, "/api/workflows", token: "s3cret-token")).Status);
        var (started, _) = await host.SendAsync(HttpMethod.Post, "/api/runs", start, token: "s3cret-token");
        Assert.Equal(HttpStatusCode.Accepted, started);
    }
}
