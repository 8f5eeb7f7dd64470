using Baton.Server.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Baton.Server;

/// <summary>Maps Baton's web dashboard (docs/server.md, "The dashboard") into an ASP.NET Core application.</summary>
public static class BatonDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard at <c>/</c> (its files under <c>/dashboard/</c>): the runs, live; a run's graph, timeline,
    /// steps, questions and controls. It is a client of the API <see cref="BatonEndpointRouteBuilderExtensions.MapBaton"/>
    /// maps, which it needs. The page and its files hold no data, so they are served without the token; the page asks
    /// for the token when the API wants one.
    /// </summary>
    public static IEndpointConventionBuilder MapBatonDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("");
        group.MapGet("/", (HttpContext http) => DashboardEndpoints.Serve(http, "index.html"));
        group.MapGet("/dashboard/{file}", (HttpContext http, string file) => DashboardEndpoints.Serve(http, file));
        return group;
    }
}
