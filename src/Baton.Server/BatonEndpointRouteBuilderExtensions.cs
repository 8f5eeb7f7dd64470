using Baton.Server.Http;
using Baton.Server.Mcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Baton.Server;

/// <summary>Maps Baton's HTTP API (docs/server.md) into an ASP.NET Core application.</summary>
public static class BatonEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the API under <c>/api</c>: workflows, runs, their reports, events (Server-Sent Events) and graphs, and
    /// answering, cancelling, resuming and forking runs; and the workflow files as Model Context Protocol tools at
    /// <c>/mcp</c> (Streamable HTTP), behind the same token rule. Reads the workflow files now, so a bad file stops the
    /// application from starting. Needs <see cref="BatonServerServiceCollectionExtensions.AddBatonServer"/>.
    /// </summary>
    /// <exception cref="Baton.Yaml.WorkflowFileException">A workflow file is missing or invalid: every problem.</exception>
    public static RouteGroupBuilder MapBaton(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var server = endpoints.ServiceProvider.GetRequiredService<BatonServer>();
        var api = endpoints.MapGroup("/api");
        api.AddEndpointFilter(async (context, next) =>
        {
            if (TokenCheck.Refuse(context.HttpContext, server.Options) is { } refused) return refused.ToResult();
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (ApiError error)
            {
                return error.ToResult();
            }
        });
        api.MapGet("/workflows", () => WorkflowEndpoints.List(server));
        api.MapPost("/runs", (HttpContext http, CancellationToken _) => WorkflowEndpoints.StartAsync(server, http));
        api.MapGet("/runs", (HttpContext http, CancellationToken _) => RunEndpoints.ListAsync(server, http));
        api.MapGet("/runs/{id}", (string id, HttpContext http) => RunEndpoints.ReportAsync(server, id, http));
        api.MapGet("/runs/{id}/events", (string id, HttpContext http) => RunEndpoints.EventsAsync(server, id, http));
        api.MapGet("/events", (HttpContext http, CancellationToken _) => RunEndpoints.FeedAsync(server, http));
        api.MapGet("/runs/{id}/graph", (string id, HttpContext http) => RunEndpoints.GraphAsync(server, id, http));
        api.MapPost("/runs/{id}/answer", (string id, HttpContext http) => RunEndpoints.AnswerAsync(server, id, http));
        api.MapPost("/runs/{id}/cancel", (string id, HttpContext http) => RunEndpoints.CancelAsync(server, id, http));
        api.MapPost("/runs/{id}/resume", (string id, HttpContext http) => RunEndpoints.ResumeAsync(server, id, http));
        api.MapPost("/runs/{id}/fork", (string id, HttpContext http) => RunEndpoints.ForkAsync(server, id, http));
        api.MapFallback(() => ApiError.NotFound("not_found", "there is no such endpoint").ToResult());
        McpEndpoint.Map(endpoints, server);
        return api;
    }
}
