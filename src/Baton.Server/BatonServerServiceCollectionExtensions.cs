using Microsoft.Extensions.DependencyInjection;

namespace Baton.Server;

/// <summary>Registers Baton's HTTP API services.</summary>
public static class BatonServerServiceCollectionExtensions
{
    /// <summary>Adds the services <see cref="BatonEndpointRouteBuilderExtensions.MapBaton"/> needs: the workflow files to offer and the store.</summary>
    public static IServiceCollection AddBatonServer(this IServiceCollection services, Action<BatonServerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        services.AddSingleton<BatonServer>();
        return services;
    }
}
