namespace Baton;

/// <summary>
/// The state one scope of a run sees and writes: the run's state for the run's own workflow; for the steps nested
/// under a composite step (a branch, an item, a node, a nested workflow), the enclosing scope's state plus the
/// writes this scope committed, which reach the enclosing scope only when the composite joins its children — in
/// child order, whatever order the children finished in. So an order-sensitive reducer (append) gives the same
/// value in every run; a step sees what its own scope wrote before it; watchers are told of each write as it commits.
/// </summary>
internal sealed class ScopeState : IRunStateView
{
    // Writes are rare and every branch of a fan-out gets a scope: the scope locks on itself (it is internal, and
    // nothing else locks on it) rather than carry a lock object of its own.
    private readonly ScopeState? _parent;
    private readonly IReadOnlyList<StateChange>? _inherited;
    private List<StateChange>? _pending;

    private ScopeState(RunState root, ScopeState? parent, IReadOnlyList<StateChange>? inherited)
    {
        Root = root;
        _parent = parent;
        _inherited = inherited is { Count: > 0 } ? inherited : null;
    }

    /// <summary>The run's state, which the run's own workflow writes straight into.</summary>
    public RunState Root { get; }

    /// <summary>True for the run's own workflow: its commits apply to the run's state at once.</summary>
    public bool IsRoot => _parent is null;

    /// <summary>The scope of the run's own workflow.</summary>
    public static ScopeState ForRun(RunState state) => new(state, null, null);

    /// <summary>
    /// A scope nested in this one. <paramref name="inherited"/> are writes of completed siblings it depends on (a graph
    /// node's dependencies): it sees them, but they are not its own (they join through their own scopes).
    /// </summary>
    public ScopeState Child(IReadOnlyList<StateChange>? inherited = null) => new(Root, this, inherited);

    public IReadOnlyCollection<string> Names
    {
        get
        {
            var names = new HashSet<string>(_parent?.Names ?? Root.Names, StringComparer.Ordinal);
            foreach (var change in Own()) if (change.Agent is null) names.Add(change.Name);
            return names;
        }
    }

    public bool TryGet(string name, out Payload value)
    {
        var has = _parent is null ? Root.TryGet(name, out value) : _parent.TryGet(name, out value);
        if (IsRoot || RunState.IsPrivate(name)) return has;
        var reducer = Root.ReducerFor(name);
        foreach (var change in Own())
        {
            if (change.Agent is not null || change.Name != name) continue;
            value = reducer.Reduce(has ? value : null, change.Value);
            has = true;
        }

        return has;
    }

    /// <summary>An agent's private value as this scope sees it (private writes replace).</summary>
    public bool TryGetPrivate(string agent, string name, out Payload value)
    {
        var has = _parent is null ? Root.TryGetPrivate(agent, name, out value) : _parent.TryGetPrivate(agent, name, out value);
        foreach (var change in Own())
        {
            if (change.Agent != agent || change.Name != name) continue;
            value = change.Value;
            has = true;
        }

        return has;
    }

    /// <summary>The names an agent has in its private state, as this scope sees it.</summary>
    public IReadOnlyCollection<string> PrivateNames(string agent)
    {
        var names = new HashSet<string>(_parent?.PrivateNames(agent) ?? Root.PrivateNames(agent), StringComparer.Ordinal);
        foreach (var change in Own()) if (change.Agent == agent) names.Add(change.Name);
        return names;
    }

    /// <summary>Checks that every shared write reduces without error on what this scope sees, without applying any.</summary>
    public StepError? Validate(IReadOnlyList<StateChange> changes)
    {
        if (IsRoot) return Root.Validate(changes);
        var trial = new Dictionary<string, Payload>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            if (change.Agent is not null) continue;
            try
            {
                var current = trial.TryGetValue(change.Name, out var t) ? t : TryGet(change.Name, out var seen) ? seen : null;
                trial[change.Name] = Root.ReducerFor(change.Name).Reduce(current, change.Value);
            }
            catch (Exception ex)
            {
                return new StepError(ErrorKind.Fatal, $"state '{change.Name}': {ex.Message}") { Code = "state" };
            }
        }

        return null;
    }

    /// <summary>What this scope will see once <paramref name="pending"/> commits (for the conditions on a step's edges).</summary>
    public IRunStateView WithPending(IReadOnlyList<StateChange> pending) => new PendingView(this, pending);

    /// <summary>
    /// Commits a step's writes to this scope: applied to the run's state for the run's own workflow, kept as the
    /// scope's own otherwise. Watchers are told of each write but the first <paramref name="alreadyTold"/> (a
    /// composite's joined writes, told when its children committed them).
    /// </summary>
    public void Commit(IReadOnlyList<StateChange> changes, string key, int alreadyTold = 0)
    {
        if (IsRoot)
        {
            Root.Apply(changes, key, alreadyTold);
            return;
        }

        lock (this) (_pending ??= []).AddRange(changes);
        if (alreadyTold < changes.Count) Root.Tell(alreadyTold == 0 ? changes : changes.Skip(alreadyTold).ToArray(), key);
    }

    /// <summary>Adds a child scope's writes to this one's own (the join), without telling watchers again.</summary>
    public void Join(IReadOnlyList<StateChange> changes)
    {
        if (changes.Count == 0) return;
        lock (this) (_pending ??= []).AddRange(changes);
    }

    /// <summary>What this scope reads on top of its parent: what it inherited, then what it committed or joined (no copy when it has written nothing).</summary>
    private IReadOnlyList<StateChange> Own()
    {
        lock (this)
        {
            if (_inherited is null) return _pending is null ? [] : _pending.ToArray();
            return _pending is null ? _inherited : [.. _inherited, .. _pending];
        }
    }

    /// <summary>The writes this scope committed or joined itself, without what it inherited: what joins its parent.</summary>
    public IReadOnlyList<StateChange> Written()
    {
        lock (this) return _pending is null ? [] : _pending.ToArray();
    }

    private sealed class PendingView(ScopeState scope, IReadOnlyList<StateChange> pending) : IRunStateView
    {
        public IReadOnlyCollection<string> Names => scope.Names.Union(pending.Where(p => p.Agent is null).Select(p => p.Name)).ToArray();

        public bool TryGet(string name, out Payload value)
        {
            var has = scope.TryGet(name, out value);
            var reducer = scope.Root.ReducerFor(name);
            foreach (var change in pending)
            {
                if (change.Name != name || change.Agent is not null) continue;
                value = reducer.Reduce(has ? value : null, change.Value);
                has = true;
            }

            return has;
        }
    }
}
