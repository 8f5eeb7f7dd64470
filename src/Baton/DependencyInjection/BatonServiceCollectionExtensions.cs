using Baton;
using Baton.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Baton in a service collection.</summary>
public static class BatonServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="BatonRuntime"/> (and its <see cref="EventBus"/>) built from the
    /// container: every setting of <see cref="BatonOptions"/> comes through the options pattern
    /// (<c>IOptions&lt;BatonOptions&gt;</c>, so <c>services.Configure&lt;BatonOptions&gt;(...)</c> sets any of them),
    /// and what the options leave unset comes from the container: its <see cref="IRunStore"/>,
    /// <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/> (an in-memory store and the system clock are
    /// registered when there are none), and the container itself as <see cref="BatonOptions.Services"/>. Every
    /// <see cref="Workflow"/> of <see cref="BatonServiceOptions.Workflows"/> or of the container is registered so
    /// its runs can be resumed by id. The container disposes the runtime, which cancels its runs and stops its
    /// event bus; dispose the container with <c>DisposeAsync</c>.
    /// </summary>
    /// <remarks>Calling it again adds to the same settings, so modules can each register their workflows.</remarks>
    public static IServiceCollection AddBaton(this IServiceCollection services, Action<BatonServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = Settings(services);
        configure?.Invoke(settings);
        services.AddOptions<BatonOptions>();
        // Content (step inputs and outputs) is logged through a redactor; by default it writes [redacted].
        services.AddRedaction(redaction => redaction.SetRedactor<Baton.Compliance.PlaceholderRedactor>(Baton.Compliance.BatonDataClassifications.Content));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRunStore>(sp => new InMemoryRunStore(sp.GetRequiredService<IOptions<BatonOptions>>().Value.TimeProvider ?? sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => CreateRuntime(sp, sp.GetRequiredService<BatonServiceOptions>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<BatonRuntime>().Events);
        return services;
    }

    /// <summary>
    /// Like <see cref="AddBaton(IServiceCollection, Action{BatonServiceOptions}?)"/>, and binds the simple settings of
    /// <see cref="BatonOptions"/> from <paramref name="configuration"/>, typically <c>configuration.GetSection("Baton")</c>:
    /// <c>Limits:MaxSteps</c>, <c>Limits:Timeout</c>, <c>Limits:MaxParallel</c>, <c>Limits:MaxFanOut</c>,
    /// <c>Limits:MaxPayloadBytes</c>, <c>Limits:MaxTokens</c>, <c>Limits:MaxCost</c>, <c>Owner</c>, <c>LeaseDuration</c>,
    /// <c>HumanWaitInMemory</c>, <c>SnapshotEvery</c>, <c>EventWindow</c>, <c>EventBus:QueueCapacity</c>,
    /// <c>EventBus:DeadLetterCapacity</c>. Durations are written <c>hh:mm:ss</c> (or <c>d.hh:mm:ss</c>); <c>none</c>
    /// clears a limit that may be absent (<c>Timeout</c>, <c>MaxTokens</c>, <c>MaxCost</c>); <c>HumanWaitInMemory</c>
    /// also takes <c>infinite</c>, and <c>auto</c> for the store's default. Settings configured after this call win.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// When the runtime is created: a key is not one of these, or a value does not parse (the message names the key).
    /// </exception>
    public static IServiceCollection AddBaton(this IServiceCollection services, IConfiguration configuration, Action<BatonServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddBaton(configure);
        services.AddSingleton<IConfigureOptions<BatonOptions>>(new BatonOptionsConfiguration(configuration));
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

        // The settings' shorthands (Limits, EventBus) are options like any other: registered once, in
        // the order of the first AddBaton, so a later Configure<BatonOptions> overrides them.
        services.Configure<BatonOptions>(settings.ApplyTo);
        return settings;
    }

    private static BatonRuntime CreateRuntime(IServiceProvider services, BatonServiceOptions settings)
    {
        var options = services.GetRequiredService<IOptions<BatonOptions>>().Value;
        var runtime = new BatonRuntime(options with
        {
            Store = options.Store ?? services.GetRequiredService<IRunStore>(),
            TimeProvider = options.TimeProvider ?? services.GetRequiredService<TimeProvider>(),
            LoggerFactory = options.LoggerFactory ?? services.GetService<ILoggerFactory>(),
            ContentRedactor = options.ContentRedactor ?? (settings.LogContent
                ? Microsoft.Extensions.Compliance.Redaction.NullRedactor.Instance
                : services.GetService<Microsoft.Extensions.Compliance.Redaction.IRedactorProvider>()?.GetRedactor(Baton.Compliance.BatonDataClassifications.Content)),
            Services = options.Services ?? services,
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
