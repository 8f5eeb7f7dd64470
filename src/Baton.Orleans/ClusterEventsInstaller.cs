using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Baton.Orleans;

/// <summary>
/// Joins the worker's event bus to the cluster before the silo takes runs: what it publishes is relayed to every other
/// worker (<see cref="ClusterEventRelay"/>), and its dead letters are reported to the cluster's <see cref="IDeadLetterGrain"/>.
/// </summary>
internal sealed partial class ClusterEventsInstaller(BatonRuntime runtime, IGrainFactory grains, IClusterMembershipService membership, ILocalSiloDetails local, BatonClusterOptions options, ILogger<ClusterEventsInstaller> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ClusterEventsInstaller), ServiceLifecycleStage.ApplicationServices, _ =>
        {
            runtime.Events.Relay = new ClusterEventRelay(grains, membership, local, options);
            runtime.Events.DeadLettered += Report;
            return Task.CompletedTask;
        });

    private void Report(DeadLetter deadLetter)
    {
        var sent = ClusterDeadLetter.From(runtime.Owner, deadLetter);
        // Not awaited: the subscriber's consumer goes on with its next event; the bus keeps the dead letter locally too.
        _ = Task.Run(async () =>
        {
            try
            {
                await GrainCallRetry.RunAsync(async () => { await grains.GetGrain<IDeadLetterGrain>(0).AddAsync(sent).ConfigureAwait(false); return true; }, options.EventRelayTimeout, TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogReportFailed(logger, sent.MessageId, sent.Subscriber, ex);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the dead letter of event {MessageId} for {Subscriber} could not be reported to the cluster; it is kept in this worker's event bus")]
    private static partial void LogReportFailed(ILogger logger, string messageId, string subscriber, Exception exception);
}
