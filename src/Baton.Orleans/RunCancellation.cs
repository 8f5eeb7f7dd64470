using Baton.Storage;

namespace Baton.Orleans;

/// <summary>Cancels a run that executes nowhere (it waits for a person, or its worker died): journaled, its questions withdrawn.</summary>
internal static class RunCancellation
{
    public static async Task CancelStoredAsync(BatonRuntime runtime, string runId)
    {
        var store = runtime.Store;
        var record = await store.GetRunAsync(runId).ConfigureAwait(false) ?? throw new KeyNotFoundException($"there is no run '{runId}' in the store");
        if (record.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled) return;
        var lease = await store.TryAcquireLeaseAsync(runId, runtime.Owner, runtime.LeaseDuration).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"run '{runId}' is held by '{record.LeaseOwner}'; cancel it on the worker that runs it");
        try
        {
            var now = runtime.TimeProvider.GetUtcNow();
            await store.AppendAsync(lease, new JournalEntry { Kind = JournalEntryKind.RunCancelled, Error = new StepError(ErrorKind.Fatal, "the run was cancelled") { Code = "cancelled" }, Timestamp = now }).ConfigureAwait(false);
            await store.SetStatusAsync(lease, RunStatus.Cancelled).ConfigureAwait(false);
            foreach (var request in await store.ListHumanRequestsAsync(runId, openOnly: true).ConfigureAwait(false))
            {
                await store.CloseHumanRequestAsync(request.Id, HumanRequestStatus.Withdrawn, null, now).ConfigureAwait(false);
            }
        }
        finally
        {
            await store.ReleaseLeaseAsync(lease).ConfigureAwait(false);
        }
    }
}
