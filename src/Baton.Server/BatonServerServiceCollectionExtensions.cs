using Baton.Server.Mcp;
using Microsoft.Extensions.DependencyInjection;

namespace Baton.Server;

/// <summary>Registers Baton's HTTP API services.</summary>
public static class BatonServerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the services <see cref="BatonEndpointRouteBuilderExtensions.MapBaton"/> needs: the workflow files to offer and
    /// the store, and the Model Context Protocol server (Streamable HTTP, stateless) that offers them as tools.
    /// </summary>
    public static IServiceCollection AddBatonServer(this IServiceCollection services, Action<BatonServerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        services.AddSingleton<BatonServer>();
        // The same workflow tools as `baton mcp`, at /mcp: each request finds them on the application's BatonServer.
        services.AddMcpServer(o => WorkflowTools.Configure(o, request => (request.Services ?? throw new InvalidOperationException("an MCP request without services")).GetRequiredService<BatonServer>().Tools))
            .WithHttpTransport(o => o.Stateless = true);
        return services;
    }
}
