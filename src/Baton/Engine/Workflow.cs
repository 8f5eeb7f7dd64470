using System.Collections.Frozen;

namespace Baton;

/// <summary>
/// A validated, immutable graph of steps: what a run executes. Builders and workflow files
/// produce it; it can be nested in another workflow as an agent (<see cref="AsAgent"/>).
/// </summary>
public sealed class Workflow
{
    private readonly FrozenDictionary<string, int> _index;
    private readonly Edge[][] _outgoing;
    private readonly int[][] _targets;
    private readonly int[] _errorTargets;

    internal Workflow(string name, string? description, IReadOnlyList<Step> steps, string entry, IReadOnlyList<Edge> edges,
        IReadOnlyDictionary<string, StateReducer> state, RunLimits? limits)
    {
        Name = name;
        Description = description;
        Steps = steps;
        Edges = edges;
        StateReducers = state;
        Limits = limits;
        _index = steps.Select((s, i) => KeyValuePair.Create(s.Id, i)).ToFrozenDictionary(StringComparer.Ordinal);
        EntryIndex = _index[entry];
        Entry = steps[EntryIndex];
        // The engine walks steps by position, so a step costs no dictionary lookup on the hot path.
        _outgoing = new Edge[steps.Count][];
        _targets = new int[steps.Count][];
        _errorTargets = new int[steps.Count];
        for (var i = 0; i < steps.Count; i++)
        {
            var id = steps[i].Id;
            _outgoing[i] = edges.Where(e => !e.IsError && e.From == id).ToArray();
            _targets[i] = _outgoing[i].Select(e => e.To == Edge.End ? -1 : _index[e.To]).ToArray();
            var error = edges.FirstOrDefault(e => e.IsError && e.From == id);
            _errorTargets[i] = error is null ? -1 : _index[error.To];
        }
    }

    /// <summary>The workflow's name.</summary>
    public string Name { get; }

    /// <summary>What the workflow does.</summary>
    public string? Description { get; }

    /// <summary>The steps, in the order they were added.</summary>
    public IReadOnlyList<Step> Steps { get; }

    /// <summary>The step a run starts at.</summary>
    public Step Entry { get; }

    /// <summary>The transitions, in the order they are tried.</summary>
    public IReadOnlyList<Edge> Edges { get; }

    /// <summary>Declared state variables and their reducers (others are last-write-wins).</summary>
    public IReadOnlyDictionary<string, StateReducer> StateReducers { get; }

    /// <summary>Reducers declared here and in every nested workflow; the nearest declaration wins.</summary>
    internal IReadOnlyDictionary<string, StateReducer> AllStateReducers => field ??= CollectReducers(this);

    /// <summary>Steps here and in every nested workflow that draw on a resource, with its name; checked when a run starts.</summary>
    internal IReadOnlyList<(string StepId, string Resource)> ResourceUses => field ??= ResourceRegistry.CollectUses(this);

    /// <summary>Limits this workflow asks for; null to use the runtime's.</summary>
    public RunLimits? Limits { get; }

    /// <summary>Finds a step by id.</summary>
    public Step GetStep(string id) =>
        _index.TryGetValue(id, out var i) ? Steps[i] : throw new KeyNotFoundException($"workflow '{Name}' has no step '{id}'");

    /// <summary>
    /// The workflow an agent stands for inside a composite step: a workflow agent's own workflow,
    /// else a one-step workflow named after the agent.
    /// </summary>
    internal static Workflow Of(IAgent agent) =>
        agent is WorkflowAgent nested ? nested.Workflow : new WorkflowBuilder(agent.Name).AddStep(agent).Build();

    /// <summary>This workflow as an agent, so it can be a step of another workflow.</summary>
    public IAgent AsAgent() => new WorkflowAgent(this);

    /// <summary>The workflow as a Mermaid flowchart.</summary>
    public string ToMermaid() => MermaidExporter.Export(this);

    internal int EntryIndex { get; }

    internal Step StepAt(int index) => Steps[index];

    internal int IndexOf(string stepId) =>
        _index.TryGetValue(stepId, out var i) ? i : throw new KeyNotFoundException($"workflow '{Name}' has no step '{stepId}'");

    /// <summary>The edges tried after step <paramref name="index"/>, in order, and each one's target position (-1 for the end).</summary>
    internal (Edge[] Edges, int[] Targets) Outgoing(int index) => (_outgoing[index], _targets[index]);

    /// <summary>The position of the step's error route, or -1.</summary>
    internal int ErrorTarget(int index) => _errorTargets[index];

    private static Dictionary<string, StateReducer> CollectReducers(Workflow root)
    {
        var reducers = new Dictionary<string, StateReducer>(StringComparer.Ordinal);
        var seen = new HashSet<Workflow>();
        var pending = new Queue<Workflow>([root]);
        while (pending.TryDequeue(out var workflow))
        {
            if (!seen.Add(workflow)) continue;
            foreach (var (name, reducer) in workflow.StateReducers) reducers.TryAdd(name, reducer);
            foreach (var step in workflow.Steps)
            {
                foreach (var (_, child) in step.Children) pending.Enqueue(child);
            }
        }

        return reducers;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
