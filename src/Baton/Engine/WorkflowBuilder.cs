namespace Baton;

/// <summary>
/// Builds a <see cref="Workflow"/> graph step by step. Every pattern builder compiles to this.
/// <see cref="Build"/> validates the whole graph and reports every problem at once.
/// </summary>
public sealed class WorkflowBuilder
{
    private readonly List<Step> _steps = [];
    private readonly List<Edge> _edges = [];
    private readonly List<FanOutEdges.FanOut> _fanOuts = [];
    private readonly List<FanOutEdges.FanIn> _fanIns = [];
    private readonly Dictionary<string, StateReducer> _state = new(StringComparer.Ordinal);
    private string? _entry;
    private string? _description;
    private RunLimits? _limits;

    /// <summary>Starts a workflow called <paramref name="name"/>.</summary>
    public WorkflowBuilder(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The workflow's name.</summary>
    public string Name { get; }

    /// <summary>Ids of the steps added so far.</summary>
    public IEnumerable<string> StepIds => _steps.Select(s => s.Id);

    /// <summary>Says what the workflow does.</summary>
    public WorkflowBuilder Describe(string description)
    {
        _description = description;
        return this;
    }

    /// <summary>Adds a step; the first added is the entry unless <see cref="StartAt"/> says otherwise.</summary>
    public WorkflowBuilder AddStep(Step step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _steps.Add(step);
        return this;
    }

    /// <summary>Adds a step that calls <paramref name="agent"/>, drawing on the named <paramref name="resource"/> when given.</summary>
    public WorkflowBuilder AddStep(IAgent agent, string? id = null, RetryPolicy? retry = null, TimeSpan? timeout = null, string? resource = null) =>
        AddStep(new AgentStep(agent, id) { Retry = retry, Timeout = timeout, Resource = resource });

    /// <summary>Adds a transition; conditional edges are tried in the order added, the first that holds is taken.</summary>
    public WorkflowBuilder AddEdge(string from, string to, EdgeCondition? condition = null, string? label = null)
    {
        _edges.Add(new Edge(from, to, condition, label ?? (condition is null ? null : "condition")));
        return this;
    }

    /// <summary>
    /// After <paramref name="from"/>, runs every step of <paramref name="to"/> at once, each on its output; each target
    /// then follows its own edges (its branch) until the branch ends or reaches the fan-in edge that joins them
    /// (<see cref="AddFanInEdge"/>). The step after the join gets an object with one property per target, holding that
    /// branch's last output; without a join the workflow ends with that object. The branches run as one composite
    /// step named <c>FROM-fan-out</c> (in the journal, reports and graphs), like a parallel step.
    /// </summary>
    /// <exception cref="ArgumentException">No target, or a target named twice.</exception>
    public WorkflowBuilder AddFanOutEdge(string from, params IEnumerable<string> to)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(from);
        ArgumentNullException.ThrowIfNull(to);
        var targets = to.ToArray();
        if (targets.Length == 0) throw new ArgumentException($"the fan-out from '{from}' needs at least one target", nameof(to));
        if (targets.GroupBy(t => t, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"the fan-out from '{from}' names '{twice.Key}' twice", nameof(to));
        }

        _fanOuts.Add(new FanOutEdges.FanOut(from, targets));
        return this;
    }

    /// <summary>
    /// Joins the branches of one fan-out: once every branch has ended (those through a step of
    /// <paramref name="from"/> and any that ended on their own), <paramref name="to"/> runs once on their outputs.
    /// </summary>
    /// <exception cref="ArgumentException">No source.</exception>
    public WorkflowBuilder AddFanInEdge(IEnumerable<string> from, string to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentException.ThrowIfNullOrWhiteSpace(to);
        var sources = from.ToArray();
        if (sources.Length == 0) throw new ArgumentException($"the fan-in to '{to}' needs at least one source", nameof(from));
        _fanIns.Add(new FanOutEdges.FanIn(sources, to));
        return this;
    }

    /// <summary>
    /// Routes <paramref name="from"/>'s failure (after its retries) to <paramref name="handler"/>,
    /// which receives <c>{ error: { message, kind, step }, partial: { stepId: output } }</c>.
    /// </summary>
    public WorkflowBuilder OnError(string from, string handler)
    {
        _edges.Add(new Edge(from, handler, null, "error", IsError: true));
        return this;
    }

    /// <summary>Names the entry step.</summary>
    public WorkflowBuilder StartAt(string stepId)
    {
        _entry = stepId;
        return this;
    }

    /// <summary>Declares a state variable and the reducer its writes go through.</summary>
    public WorkflowBuilder DeclareState(string name, StateReducer reducer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(reducer);
        _state[name] = reducer;
        return this;
    }

    /// <summary>Sets the limits runs of this workflow get (the runtime's defaults otherwise).</summary>
    public WorkflowBuilder WithLimits(RunLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        _limits = limits;
        return this;
    }

    /// <summary>A builder with the same steps, edges, state and limits, to extend separately.</summary>
    public WorkflowBuilder Clone()
    {
        var copy = new WorkflowBuilder(Name) { _entry = _entry, _description = _description, _limits = _limits };
        copy._steps.AddRange(_steps);
        copy._edges.AddRange(_edges);
        copy._fanOuts.AddRange(_fanOuts);
        copy._fanIns.AddRange(_fanIns);
        foreach (var (name, reducer) in _state) copy._state[name] = reducer;
        return copy;
    }

    /// <summary>Validates and builds the workflow.</summary>
    /// <exception cref="WorkflowValidationException">The graph has problems; all of them are listed.</exception>
    public Workflow Build()
    {
        var problems = new List<string>();
        if (_steps.Count == 0) problems.Add("it has no steps");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in _steps)
        {
            if (!ids.Add(step.Id)) problems.Add($"step id '{step.Id}' is used twice");
            if (step.Resource is not null && step.IsComposite) problems.Add($"step '{step.Id}' runs child steps and cannot draw on resource '{step.Resource}' itself: set it on the agent steps inside");
        }

        var entry = _entry ?? _steps.FirstOrDefault()?.Id;
        if (entry is not null && !ids.Contains(entry)) problems.Add($"the entry step '{entry}' does not exist{Suggest(entry, ids)}");
        foreach (var edge in _edges)
        {
            if (!ids.Contains(edge.From)) problems.Add($"an edge starts at unknown step '{edge.From}'{Suggest(edge.From, ids)}");
            if (!ids.Contains(edge.To) && !(edge.To == Edge.End && !edge.IsError)) problems.Add($"an edge from '{edge.From}' goes to unknown step '{edge.To}'{Suggest(edge.To, ids)}");
        }

        var (steps, edges) = (_steps, _edges);
        if (problems.Count == 0 && (_fanOuts.Count > 0 || _fanIns.Count > 0))
        {
            (steps, edges) = FanOutEdges.Compile(Name, _steps, _edges, _fanOuts, _fanIns, entry!, problems);
        }

        foreach (var group in edges.Where(e => !e.IsError).GroupBy(e => e.From))
        {
            var list = group.ToList();
            var unconditional = list.FindIndex(e => e.Condition is null);
            if (unconditional >= 0 && unconditional < list.Count - 1)
            {
                problems.Add($"step '{group.Key}' has an unconditional edge to '{list[unconditional].To}' before other edges, which can never be taken; " +
                    "to run steps at once use a parallel step or a fan-out edge");
            }
        }

        foreach (var group in edges.Where(e => e.IsError).GroupBy(e => e.From))
        {
            if (group.Count() > 1) problems.Add($"step '{group.Key}' has more than one error route");
        }

        if (entry is not null && ids.Contains(entry) && problems.Count == 0)
        {
            var reachable = Reachable(entry, edges);
            foreach (var step in steps.Where(s => !reachable.Contains(s.Id)))
            {
                problems.Add($"step '{step.Id}' can never run: no edge leads to it");
            }
        }

        if (problems.Count > 0) throw new WorkflowValidationException(Name, problems);
        return new Workflow(Name, _description, steps.ToArray(), entry!, edges.ToArray(), new Dictionary<string, StateReducer>(_state, StringComparer.Ordinal), _limits);
    }

    private static HashSet<string> Reachable(string entry, List<Edge> edges)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { entry };
        var queue = new Queue<string>([entry]);
        while (queue.TryDequeue(out var id))
        {
            foreach (var edge in edges.Where(e => e.From == id))
            {
                if (seen.Add(edge.To)) queue.Enqueue(edge.To);
            }
        }

        return seen;
    }

    internal static string Suggest(string name, IEnumerable<string> known) =>
        Suggestions.Closest(name, known) is { } near ? $" (did you mean '{near}'?)" : string.Empty;
}
