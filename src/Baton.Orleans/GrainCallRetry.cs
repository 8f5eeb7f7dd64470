using Orleans.Runtime;

namespace Baton.Orleans;

/// <summary>
/// Retries a grain call while the cluster is settling: until a dead worker is declared dead, Orleans fails calls routed
/// to it fast (<see cref="OrleansMessageRejectionException"/>, <see cref="SiloUnavailableException"/>) or lets them time
/// out; once it is, the call activates the grain on a live worker.
/// </summary>
internal static class GrainCallRetry
{
    public static async Task<T> RunAsync<T>(Func<Task<T>> call, TimeSpan retryFor, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + retryFor;
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransient(ex) && time.GetUtcNow() < deadline)
            {
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
            }
        }
    }

    /// <summary>Failures that say "the worker is gone or going", not "the call was wrong".</summary>
    public static bool IsTransient(Exception exception) => exception is OrleansMessageRejectionException or SiloUnavailableException or TimeoutException
        or global::Orleans.Runtime.Messaging.ConnectionFailedException or GatewayTooBusyException or ClientNotAvailableException
        || (exception is OrleansException && exception.InnerException is { } inner && IsTransient(inner));
}
