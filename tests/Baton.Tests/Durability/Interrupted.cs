using Baton.Storage;

namespace Baton.Tests.Durability;

/// <summary>Makes a stopped run look like one whose process died mid-run: a crash records no ending.</summary>
internal static class Interrupted
{
    /// <summary>
    /// Sets a run the test stopped (by cancelling it) back to running in the store, as if its process had died before
    /// recording how it ended; a cancelled run stays cancelled, so this is how a test gets a crash without a child process.
    /// </summary>
    public static async Task MarkAsync(IRunStore store, string runId)
    {
        var lease = await store.TryAcquireLeaseAsync(runId, "crash-simulator", TimeSpan.FromMinutes(1)) ?? throw new InvalidOperationException($"run '{runId}' is held");
        await store.SetStatusAsync(lease, RunStatus.Running);
        await store.ReleaseLeaseAsync(lease);
    }
}
