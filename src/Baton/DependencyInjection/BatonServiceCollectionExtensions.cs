using Baton;
using Baton.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Baton in a service collection.</summary>
public static class BatonServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="BatonRuntime"/> (and its <see cref="EventBus"/>) built from the
    /// container: its <see cref="IRunStore"/>, <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/>
    /// (an in-memory store and the system clock are registered when there are none), with every
    /// <see cref="Workflow"/> of <see cref="BatonServiceOptions.Workflows"/> or of the container
    /// registered so its runs can be resumed by id. The container disposes the runtime, which
    /// cancels its runs and stops its event bus; dispose the container with <c>DisposeAsync</c>.
    /// </summary>
    /// <remarks>Calling it again adds to the same settings, so modules can each register their workflows.</remarks>
    public static IServiceCollection AddBaton(this IServiceCollection services, Action<BatonServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = Settings(services);
        configure?.Invoke(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRunStore>(sp => new InMemoryRunStore(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => CreateRuntime(sp, sp.GetRequiredService<BatonServiceOptions>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<BatonRuntime>().Events);
        return services;
    }

    private static BatonServiceOptions Settings(IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(BatonServiceOptions) && !descriptor.IsKeyedService && descriptor.ImplementationInstance is BatonServiceOptions existing)
            {
                return existing;
            }
        }

        var settings = new BatonServiceOptions();
        services.AddSingleton(settings);
        return settings;
    }

    private static BatonRuntime CreateRuntime(IServiceProvider services, BatonServiceOptions settings)
    {
        var runtime = new BatonRuntime(new BatonOptions
        {
            Store = services.GetRequiredService<IRunStore>(),
            TimeProvider = services.GetRequiredService<TimeProvider>(),
            LoggerFactory = services.GetService<ILoggerFactory>(),
            Services = services,
            Limits = settings.Limits,
            EventBus = settings.EventBus,
        });
        try
        {
            foreach (var workflow in settings.Workflows) runtime.Register(workflow);
            foreach (var workflow in services.GetServices<Workflow>()) runtime.Register(workflow);
            foreach (var setup in settings.Setups) setup(services, runtime);
            return runtime;
        }
        catch
        {
            // The container never saw this runtime, so it would not dispose it: stop its subscribers now.
            runtime.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }
}
