namespace Baton.Orleans;

/// <summary>
/// The events this worker took from other workers, by id, the most recent <see cref="Capacity"/> of them: an event that
/// arrives again (at least once) is not delivered twice, and one that arrives while its first arrival is still being
/// taken (a publisher's call retried after a timeout) waits for that first one, so its answer means the same. Kept by
/// the worker, not by its inbox grain, so an inbox collected while idle does not forget.
/// </summary>
internal sealed class ReceivedEvents
{
    /// <summary>Ids remembered; an id older than this many later ones could be delivered again.</summary>
    public const int Capacity = 100_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Task> _taken = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    /// <summary>
    /// Runs <paramref name="accept"/> for the first arrival of <paramref name="id"/>; a later arrival completes when the
    /// first did. A failed acceptance is forgotten, so the event's next arrival is accepted afresh.
    /// </summary>
    public async Task AcceptOnceAsync(string id, Func<Task> accept)
    {
        Task? earlier;
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (!_taken.TryGetValue(id, out earlier))
            {
                _taken[id] = mine.Task;
                _order.Enqueue(id);
                while (_order.Count > Capacity) _taken.Remove(_order.Dequeue());
            }
        }

        if (earlier is not null)
        {
            await earlier.ConfigureAwait(false);
            return;
        }

        try
        {
            await accept().ConfigureAwait(false);
            mine.SetResult();
        }
        catch (Exception ex)
        {
            lock (_lock)
            {
                // Left in the order queue: dequeuing it later removes a newer acceptance of the same id early (harmless).
                if (_taken.TryGetValue(id, out var current) && current == mine.Task) _taken.Remove(id);
            }

            mine.SetException(ex);
            // Observed here: a failure nobody else waited for is the caller's, rethrown below, not an unobserved task's.
            _ = mine.Task.Exception;
            throw;
        }
    }
}
