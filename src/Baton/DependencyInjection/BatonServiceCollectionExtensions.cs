using Baton;
using Baton.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Baton in a service collection.</summary>
public static class BatonServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="BatonRuntime"/> (and its <see cref="EventBus"/>), using the
    /// container's <see cref="IRunStore"/>, <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/>
    /// when registered (in-memory store and system clock otherwise). The container disposes it.
    /// </summary>
    public static IServiceCollection AddBaton(this IServiceCollection services, Action<BatonServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = new BatonServiceOptions();
        configure?.Invoke(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRunStore>(sp => new InMemoryRunStore(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp =>
        {
            var runtime = new BatonRuntime(new BatonOptions
            {
                Store = sp.GetRequiredService<IRunStore>(),
                TimeProvider = sp.GetRequiredService<TimeProvider>(),
                LoggerFactory = sp.GetService<ILoggerFactory>(),
                Services = sp,
                Limits = settings.Limits,
                EventBus = settings.EventBus,
            });
            foreach (var workflow in settings.Workflows) runtime.Register(workflow);
            return runtime;
        });
        services.TryAddSingleton(sp => sp.GetRequiredService<BatonRuntime>().Events);
        return services;
    }
}

/// <summary>Settings for <see cref="BatonServiceCollectionExtensions.AddBaton"/>.</summary>
public sealed class BatonServiceOptions
{
    /// <summary>Default limits for runs.</summary>
    public RunLimits Limits { get; set; } = RunLimits.Default;

    /// <summary>Event bus settings.</summary>
    public EventBusOptions EventBus { get; set; } = new();

    /// <summary>Workflows registered with the runtime, so their runs can be resumed by id.</summary>
    public IList<Workflow> Workflows { get; } = [];
}
