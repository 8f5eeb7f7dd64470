using Baton.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Baton.Server.Mcp;

/// <summary><c>/mcp</c>: the workflow tools over Streamable HTTP, guarded like the API (token, loopback, body size).</summary>
internal static class McpEndpoint
{
    public const string Pattern = "/mcp";

    public static IEndpointConventionBuilder Map(IEndpointRouteBuilder endpoints, BatonServer server)
    {
        var mcp = endpoints.MapMcp(Pattern);
        // The SDK maps plain request delegates, which endpoint filters do not reach: each is wrapped instead.
        mcp.Add(endpoint =>
        {
            if (endpoint.RequestDelegate is not { } inner) return;
            endpoint.RequestDelegate = async http =>
            {
                if (TokenCheck.Refuse(http, server.Options) is { } refused)
                {
                    await refused.ToResult().ExecuteAsync(http).ConfigureAwait(false);
                    return;
                }

                if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = server.Options.MaxRequestBodyBytes;
                await inner(http).ConfigureAwait(false);
            };
        });
        return mcp;
    }
}
