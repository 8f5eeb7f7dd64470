using Baton.Storage;
using Microsoft.Extensions.Logging;

namespace Baton;

/// <summary>How a <see cref="BatonRuntime"/> is set up.</summary>
public sealed record BatonOptions
{
    /// <summary>Where journals live; in memory when null.</summary>
    public IRunStore? Store { get; init; }

    /// <summary>The clock for delays, timeouts and deadlines; the system clock when null.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Limits for runs whose workflow and options give none.</summary>
    public RunLimits Limits { get; init; } = RunLimits.Default;

    /// <summary>Logging; none when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Services agents may use through <see cref="IStepContext.Services"/>.</summary>
    public IServiceProvider? Services { get; init; }

    /// <summary>Named resources (APIs with quotas and a circuit breaker) steps may draw on; more can be added through <see cref="BatonRuntime.Resources"/>.</summary>
    public IReadOnlyDictionary<string, ResourceOptions>? Resources { get; init; }

    /// <summary>The event bus's settings.</summary>
    public EventBusOptions EventBus { get; init; } = new();
}
