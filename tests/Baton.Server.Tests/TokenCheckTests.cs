namespace Baton.Server.Tests;

/// <summary>Who may call a server that has no token: only this machine, not a web page of another origin.</summary>
public sealed class TokenCheckTests
{
    [Theory]
    [InlineData("127.0.0.1", null, false, null)]
    [InlineData("::1", null, false, null)]
    [InlineData("192.168.1.20", null, false, 403)]
    [InlineData("192.168.1.20", null, true, null)]
    [InlineData("192.168.1.20", "Bearer t0ken", false, 401)]
    public void Without_a_token_only_loopback_is_served(string remote, string? authorization, bool allowRemote, int? refused)
    {
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        http.Request.Host = new Microsoft.AspNetCore.Http.HostString("127.0.0.1", 7420);
        http.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(remote);
        if (authorization is not null) http.Request.Headers.Authorization = authorization;
        var options = new BatonServerOptions { AllowRemoteWithoutToken = allowRemote, Token = refused == 401 ? "other" : null };
        Assert.Equal(refused, Http.TokenCheck.Refuse(http, options)?.Status);
    }

    [Theory]
    [InlineData("localhost:7420", null, null)]
    [InlineData("[::1]:7420", null, null)]
    [InlineData("127.0.0.1:7420", "http://127.0.0.1:7420", null)]
    [InlineData("127.0.0.1:7420", "https://evil.example", 403)]
    [InlineData("evil.example:7420", "http://evil.example:7420", 403)]
    [InlineData("evil.example:7420", null, 403)]
    public void Another_origin_or_a_rebound_name_is_403(string host, string? origin, int? refused)
    {
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        http.Connection.RemoteIpAddress = System.Net.IPAddress.Loopback;
        http.Request.Host = new Microsoft.AspNetCore.Http.HostString(host);
        if (origin is not null) http.Request.Headers.Origin = origin;
        Assert.Equal(refused, Http.TokenCheck.Refuse(http, new BatonServerOptions())?.Status);
    }
}
