using Baton;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Settings for <see cref="BatonServiceCollectionExtensions.AddBaton(IServiceCollection, Action{BatonServiceOptions}?)"/>:
/// the workflows to register and start-up hooks. Every runtime setting is a <see cref="BatonOptions"/> option
/// (<c>services.Configure&lt;BatonOptions&gt;(...)</c>); <see cref="Limits"/> and <see cref="EventBus"/> here are shorthands for two of them.
/// </summary>
public sealed class BatonServiceOptions
{
    private readonly List<Action<IServiceProvider, BatonRuntime>> _setups = [];
    private RunLimits? _limits;
    private EventBusOptions? _eventBus;

    /// <summary>Default limits for runs: sets <see cref="BatonOptions.Limits"/> (reads it back as set here, or the default).</summary>
    public RunLimits Limits
    {
        get => _limits ?? RunLimits.Default;
        set => _limits = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Event bus settings: sets <see cref="BatonOptions.EventBus"/> (reads it back as set here, or the default).</summary>
    public EventBusOptions EventBus
    {
        get => _eventBus ?? new();
        set => _eventBus = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// True to log what agents read and write (step inputs and outputs) as it is; false, the default, logs it through
    /// the container's redactor for <see cref="Baton.Compliance.BatonDataClassifications.Content"/>, which
    /// <c>AddBaton</c> sets to write <c>[redacted]</c> (a host's own <c>AddRedaction</c> mapping for it, made after <c>AddBaton</c>, wins).
    /// <see cref="BatonOptions.ContentRedactor"/>, when set, wins over both.
    /// </summary>
    public bool LogContent { get; set; }

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

    /// <summary>Copies the shorthands that were set onto <paramref name="options"/>; unset ones leave it as it is.</summary>
    internal void ApplyTo(BatonOptions options)
    {
        if (_limits is not null) options.Limits = _limits;
        if (_eventBus is not null) options.EventBus = _eventBus;
    }
}
