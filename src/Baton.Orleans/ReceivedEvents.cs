namespace Baton.Orleans;

/// <summary>
/// The ids of the events this worker took from other workers, the most recent <see cref="Capacity"/> of them: an event
/// arriving again (at least once) is recognised and not delivered twice. Kept by the worker, not by its inbox grain,
/// so an inbox collected while idle does not forget.
/// </summary>
internal sealed class ReceivedEvents
{
    /// <summary>Ids remembered; an id older than this many later ones could be delivered again.</summary>
    public const int Capacity = 100_000;

    private readonly Lock _lock = new();
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    /// <summary>True when <paramref name="id"/> was not taken before (it is now); false for a duplicate.</summary>
    public bool TryClaim(string id)
    {
        lock (_lock)
        {
            if (!_ids.Add(id)) return false;
            _order.Enqueue(id);
            while (_order.Count > Capacity) _ids.Remove(_order.Dequeue());
            return true;
        }
    }

    /// <summary>Forgets a claim whose delivery failed, so the event's next arrival is delivered.</summary>
    public void Release(string id)
    {
        // Left in the order queue: dequeuing it later removes nothing, or a later claim of the same id early (harmless).
        lock (_lock) _ids.Remove(id);
    }
}
