using System.Threading.Channels;

namespace Baton;

/// <summary>
/// A run's named variables. Writes are applied through each variable's reducer, in journal
/// order, under a lock, so concurrent branches never lose an update.
/// </summary>
internal sealed class RunState : IRunStateView
{
    private readonly Dictionary<string, Payload> _values = new(StringComparer.Ordinal);

    // Every shared write applied the moment it commits, in any scope (completion order): what watchers see live.
    // The run's state (_values) gets nested writes only when their composite joins, in child order.
    private readonly Dictionary<string, Payload> _live = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, StateReducer> _reducers;
    private readonly Lock _lock = new();
    private Dictionary<string, List<ChannelWriter<StateChanged>>>? _watchers;
    private Dictionary<string, Dictionary<string, Payload>>? _private;

    public RunState(IReadOnlyDictionary<string, StateReducer> reducers) => _reducers = reducers;

    /// <summary>Names starting with it are reserved (they named private state in older journals); shared reads never see them.</summary>
    public const string PrivateMarker = "~";

    public IReadOnlyCollection<string> Names
    {
        get
        {
            lock (_lock) return [.. _values.Keys.Where(k => !IsPrivate(k))];
        }
    }

    public static bool IsPrivate(string name) => name.StartsWith(PrivateMarker, StringComparison.Ordinal);

    public bool TryGet(string name, out Payload value)
    {
        lock (_lock)
        {
            if (!IsPrivate(name)) return _values.TryGetValue(name, out value!);
        }

        value = null!;
        return false;
    }

    /// <summary>The names one agent keeps in its private state. Private state is keyed by the agent's identity, never by a name prefix, so no agent name can reach another agent's.</summary>
    public IReadOnlyCollection<string> PrivateNames(string agent)
    {
        lock (_lock) return _private is not null && _private.TryGetValue(agent, out var own) ? [.. own.Keys] : [];
    }

    /// <summary>A value of one agent's private state.</summary>
    public bool TryGetPrivate(string agent, string name, out Payload value)
    {
        lock (_lock)
        {
            if (_private is not null && _private.TryGetValue(agent, out var own)) return own.TryGetValue(name, out value!);
        }

        value = null!;
        return false;
    }

    /// <summary>
    /// Sets values as given, bypassing reducers and without telling watchers: values that are already
    /// reduced (shared, or an agent's private state), as restored from a state snapshot on resume, or edited from outside the run (a fork's edits,
    /// replayed on resume and by <c>ReplayAsync</c>).
    /// </summary>
    public void Overwrite(IReadOnlyList<StateChange> changes)
    {
        lock (_lock)
        {
            foreach (var change in changes)
            {
                if (change.Agent is { } agent) PrivateOf_NeedsLock(agent)[change.Name] = change.Value;
                else _values[change.Name] = _live[change.Name] = change.Value;
            }
        }
    }

    /// <summary>
    /// Applies a committed step's writes in order (private ones replace; shared ones go through their reducers) and
    /// tells the watchers of each shared variable, but of the first <paramref name="alreadyTold"/> writes (told when
    /// they were committed in a nested scope).
    /// </summary>
    public void Apply(IReadOnlyList<StateChange> changes, string? stepKey = null, int alreadyTold = 0)
    {
        lock (_lock)
        {
            for (var i = 0; i < changes.Count; i++)
            {
                var change = changes[i];
                if (change.Agent is { } agent)
                {
                    PrivateOf_NeedsLock(agent)[change.Name] = change.Value;
                    continue;
                }

                _values[change.Name] = Reduce(_values, change);
                if (i >= alreadyTold) TellLive_NeedsLock(change, stepKey);
            }
        }
    }

    /// <summary>Tells the watchers of writes committed in a nested scope (they reach the run's state when their composite joins).</summary>
    public void Tell(IReadOnlyList<StateChange> changes, string stepKey)
    {
        lock (_lock)
        {
            foreach (var change in changes)
            {
                if (change.Agent is null) TellLive_NeedsLock(change, stepKey);
            }
        }
    }

    private void TellLive_NeedsLock(StateChange change, string? stepKey)
    {
        var live = _live[change.Name] = Reduce(_live, change);
        if (_watchers is null || !_watchers.TryGetValue(change.Name, out var watchers)) return;
        var changed = new StateChanged(change.Name, change.Value, live, stepKey);
        foreach (var watcher in watchers) watcher.TryWrite(changed);
    }

    /// <summary>
    /// Every committed write to <paramref name="name"/> from now on, in journal order; with
    /// <paramref name="includeCurrent"/>, the current value first (as a change with no step).
    /// </summary>
    public async IAsyncEnumerable<StateChanged> WatchAsync(string name, bool includeCurrent, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var channel = Channel.CreateUnbounded<StateChanged>(new UnboundedChannelOptions { SingleReader = true });
        lock (_lock)
        {
            if (includeCurrent && _live.TryGetValue(name, out var current)) channel.Writer.TryWrite(new StateChanged(name, current, current, null));
            _watchers ??= new Dictionary<string, List<ChannelWriter<StateChanged>>>(StringComparer.Ordinal);
            if (!_watchers.TryGetValue(name, out var list)) _watchers[name] = list = [];
            list.Add(channel.Writer);
        }

        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false)) yield return change;
        }
        finally
        {
            lock (_lock) _watchers[name].Remove(channel.Writer);
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
                if (change.Agent is not null) continue;
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

    /// <summary>The shared state.</summary>
    public Dictionary<string, Payload> Snapshot()
    {
        lock (_lock) return new Dictionary<string, Payload>(_values, StringComparer.Ordinal);
    }

    /// <summary>The whole state, shared then private, as writes that <see cref="Overwrite"/> restores: what a snapshot entry holds.</summary>
    public StateChange[] SnapshotChanges()
    {
        lock (_lock)
        {
            var shared = _values.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new StateChange(p.Key, p.Value));
            var own = (_private ?? []).OrderBy(a => a.Key, StringComparer.Ordinal)
                .SelectMany(a => a.Value.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new StateChange(p.Key, p.Value) { Agent = a.Key }));
            return [.. shared, .. own];
        }
    }

    private Dictionary<string, Payload> PrivateOf_NeedsLock(string agent)
    {
        _private ??= new Dictionary<string, Dictionary<string, Payload>>(StringComparer.Ordinal);
        if (!_private.TryGetValue(agent, out var own)) _private[agent] = own = new Dictionary<string, Payload>(StringComparer.Ordinal);
        return own;
    }

    private Payload Reduce(Dictionary<string, Payload> values, StateChange change) =>
        ReducerFor(change.Name).Reduce(values.TryGetValue(change.Name, out var current) ? current : null, change.Value);

    internal StateReducer ReducerFor(string name) => _reducers.TryGetValue(name, out var r) ? r : StateReducer.LastWriteWins;
}
