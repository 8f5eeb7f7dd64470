using System.Diagnostics;
using Baton.Telemetry;

namespace Baton;

/// <summary>
/// The engine's side of <see cref="IStepContext.UseResourceAsync"/>: one call a step makes on a
/// resource (a model call), where <see cref="StepResources"/> runs a whole attempt on one.
/// </summary>
internal static class StepResourceCalls
{
    // The attempt lease a step holds while its agent runs (StepResources sets it): a call of the same
    // step on the same resource runs under it rather than counting twice.
    private static readonly AsyncLocal<AttemptLease?> Held = new();

    /// <summary>One call of the step of <paramref name="context"/> on the resource named <paramref name="name"/>.</summary>
    public static ValueTask<TResult> ExecuteAsync<TResult>(StepContext context, string name, Func<ResourceLease, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(call);
        if (Held.Value is { } held && ReferenceEquals(held.Context, context) && held.Lease.Resource.Name == name) return call(held.Lease, cancellationToken);
        var resources = context.Run.Host.Resources;
        if (!resources.TryGet(name, out var resource))
        {
            throw new AgentException(ErrorKind.Fatal, $"step '{context.StepId}' draws on a resource the runtime does not have: {resources.Unknown(name)}") { Code = "unknown_resource" };
        }

        return resource.ExecuteAsync(
            (context, call),
            static (s, lease, ct) =>
            {
                ReportWait(s.context, lease);
                return s.call(lease, ct);
            },
            priority: 0,
            estimatedTokens: null,
            cancellationToken,
            cancellationToken);
    }

    /// <summary>Marks the attempt of <paramref name="context"/> as holding <paramref name="lease"/>, for the rest of the calling async flow.</summary>
    public static void Enter(StepContext context, ResourceLease lease) => Held.Value = new AttemptLease(context, lease);

    /// <summary>Tells the run (an event) and the trace (a span event) how long a call waited for the resource, when it waited.</summary>
    public static void ReportWait(StepContext context, ResourceLease lease)
    {
        if (lease.Waited <= TimeSpan.Zero) return;
        var run = context.Run;
        if (run.Events.IsEnabled) run.Events.Add(new StepWaitedForResourceEvent(run.RunId, run.Time.GetUtcNow(), context.Key, context.StepId, lease.Resource.Name, lease.Waited));
        Activity.Current?.AddEvent(new ActivityEvent("baton.resource.wait", tags: new ActivityTagsCollection
        {
            [BatonTelemetry.Tags.Resource] = lease.Resource.Name,
            ["baton.waited_ms"] = lease.Waited.TotalMilliseconds,
        }));
    }

    private sealed record AttemptLease(StepContext Context, ResourceLease Lease);
}
