using Baton.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Baton.TestSupport;

/// <summary>
/// Baton's HTTP API (and, when asked, its dashboard) on a real Kestrel at 127.0.0.1, on a port the system picks, so
/// servers started at once never collide. Compiled into the server and dashboard tests and the benchmarks (a linked
/// file, not a project: Baton.Testing stays free of ASP.NET Core for the users' test projects that reference it).
/// </summary>
internal static class LoopbackBatonServer
{
    /// <summary>Starts the server configured by <paramref name="configure"/> and returns it with its address.</summary>
    /// <param name="configure">The server's options: its workflow files, store, token, clock.</param>
    /// <param name="dashboard">Also serve the dashboard (<c>MapBatonDashboard</c>).</param>
    /// <param name="minimumLogLevel">The least log level written, when not the default.</param>
    public static async Task<(WebApplication App, Uri Address)> StartAsync(Action<BatonServerOptions> configure, bool dashboard = true, LogLevel? minimumLogLevel = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (minimumLogLevel is { } level) builder.Logging.SetMinimumLevel(level);
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Services.AddBatonServer(configure);
        var app = builder.Build();
        app.MapBaton();
        if (dashboard) app.MapBatonDashboard();
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (app, new Uri(address));
    }
}
