using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Baton.Server.Http;

/// <summary>Who may call the API: with a token, whoever sends it; without one, only this machine.</summary>
internal static class TokenCheck
{
    /// <summary>Why the request is refused (401 or 403), or null when it may go on.</summary>
    public static ApiError? Refuse(HttpContext http, BatonServerOptions options)
    {
        if (options.Token is { Length: > 0 } token)
        {
            var header = http.Request.Headers.Authorization.ToString();
            const string scheme = "Bearer ";
            if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return new ApiError(StatusCodes.Status401Unauthorized, "unauthorized", "this server needs a token: send Authorization: Bearer TOKEN");
            }

            if (!SameSecret(header[scheme.Length..].Trim(), token))
            {
                http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                return new ApiError(StatusCodes.Status401Unauthorized, "unauthorized", "the token is wrong");
            }

            return null;
        }

        if (options.AllowRemoteWithoutToken) return null;
        if (http.Connection.RemoteIpAddress is { } remote && !IPAddress.IsLoopback(remote))
        {
            return new ApiError(StatusCodes.Status403Forbidden, "forbidden", "this server has no token, so it serves only this machine");
        }

        // A web page the user visits may call a loopback server too: by a name of its own resolving to 127.0.0.1 (DNS
        // rebinding: the Host is then not a loopback one), or straight from another origin (a form post needs no preflight).
        if (!IsLoopbackHost(http.Request.Host.Host))
        {
            return new ApiError(StatusCodes.Status403Forbidden, "forbidden", $"this server has no token, so it answers only requests to localhost, not to '{http.Request.Host.Host}'");
        }

        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && !(Uri.TryCreate(origin, UriKind.Absolute, out var from) && string.Equals(from.Authority, http.Request.Host.Value, StringComparison.OrdinalIgnoreCase)))
        {
            return new ApiError(StatusCodes.Status403Forbidden, "forbidden", $"this server has no token, so it answers no request from another origin ({origin})");
        }

        return null;
    }

    private static bool IsLoopbackHost(string host) =>
        host.Length == 0 || host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>Compares in time that does not depend on where they differ, nor on their lengths (both are hashed first).</summary>
    private static bool SameSecret(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
