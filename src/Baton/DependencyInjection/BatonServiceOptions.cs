using Baton;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Settings for <see cref="BatonServiceCollectionExtensions.AddBaton"/>.</summary>
public sealed class BatonServiceOptions
{
    private readonly List<Action<IServiceProvider, BatonRuntime>> _setups = [];

    /// <summary>Default limits for runs.</summary>
    public RunLimits Limits { get; set; } = RunLimits.Default;

    /// <summary>Event bus settings.</summary>
    public EventBusOptions EventBus { get; set; } = new();

    /// <summary>Workflows registered with the runtime, so their runs can be resumed by id (so are workflows registered in the container).</summary>
    public IList<Workflow> Workflows { get; } = [];

    internal IReadOnlyList<Action<IServiceProvider, BatonRuntime>> Setups => _setups;

    /// <summary>
    /// Runs <paramref name="setup"/> when the container creates the runtime, before anyone gets it:
    /// the place to subscribe workflows and agents to topics.
    /// </summary>
    public BatonServiceOptions OnCreated(Action<IServiceProvider, BatonRuntime> setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        _setups.Add(setup);
        return this;
    }
}
