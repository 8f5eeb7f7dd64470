namespace Baton;

/// <summary>
/// A run's named variables. Writes are applied through each variable's reducer, in journal
/// order, under a lock, so concurrent branches never lose an update.
/// </summary>
internal sealed class RunState : IRunStateView
{
    private readonly Dictionary<string, Payload> _values = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, StateReducer> _reducers;
    private readonly Lock _lock = new();

    public RunState(IReadOnlyDictionary<string, StateReducer> reducers) => _reducers = reducers;

    public IReadOnlyCollection<string> Names
    {
        get
        {
            lock (_lock) return [.. _values.Keys];
        }
    }

    public bool TryGet(string name, out Payload value)
    {
        lock (_lock) return _values.TryGetValue(name, out value!);
    }

    public void Apply(IReadOnlyList<StateChange> changes)
    {
        lock (_lock)
        {
            foreach (var change in changes) ApplyOne(change);
        }
    }

    /// <summary>Checks that every change reduces without error, without applying any.</summary>
    public StepError? Validate(IReadOnlyList<StateChange> changes)
    {
        lock (_lock)
        {
            var trial = new Dictionary<string, Payload>(StringComparer.Ordinal);
            foreach (var change in changes)
            {
                try
                {
                    var current = trial.TryGetValue(change.Name, out var t) ? t : _values.GetValueOrDefault(change.Name);
                    trial[change.Name] = ReducerFor(change.Name).Reduce(current, change.Value);
                }
                catch (Exception ex)
                {
                    return new StepError(ErrorKind.Fatal, $"state '{change.Name}': {ex.Message}") { Code = "state" };
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The state as it will be once <paramref name="pending"/> commits; the caller holds the
    /// commit lock so the committed values cannot move underneath.
    /// </summary>
    public IRunStateView WithPending(IReadOnlyList<StateChange> pending) => new PendingView(this, pending);

    public Dictionary<string, Payload> Snapshot()
    {
        lock (_lock) return new Dictionary<string, Payload>(_values, StringComparer.Ordinal);
    }

    private void ApplyOne(StateChange change) => _values[change.Name] = Reduce(change);

    private Payload Reduce(StateChange change) =>
        ReducerFor(change.Name).Reduce(_values.TryGetValue(change.Name, out var current) ? current : null, change.Value);

    private StateReducer ReducerFor(string name) => _reducers.TryGetValue(name, out var r) ? r : StateReducer.LastWriteWins;

    private sealed class PendingView(RunState committed, IReadOnlyList<StateChange> pending) : IRunStateView
    {
        public IReadOnlyCollection<string> Names => committed.Names.Union(pending.Select(p => p.Name)).ToArray();

        public bool TryGet(string name, out Payload value)
        {
            var has = committed.TryGet(name, out value);
            var reducer = committed.ReducerFor(name);
            foreach (var change in pending)
            {
                if (change.Name != name) continue;
                value = reducer.Reduce(has ? value : null, change.Value);
                has = true;
            }

            return has;
        }
    }
}
