namespace Baton;

/// <summary>
/// A pipeline: each step's output is the next one's input. A failure (after the step's retries)
/// stops the chain; with <see cref="OnError"/>, it goes to the handler, whose output ends the run.
/// </summary>
public sealed class SequentialBuilder : PatternBuilder<SequentialBuilder>
{
    private readonly WorkflowBuilder _builder;
    private readonly List<string> _chain = [];
    private Step? _handler;

    /// <summary>Starts a pipeline called <paramref name="name"/>.</summary>
    public SequentialBuilder(string name)
        : base(name) => _builder = new WorkflowBuilder(name);

    /// <summary>Builds a pipeline of agents in one call.</summary>
    public static Workflow Create(string name, params IAgent[] agents)
    {
        var builder = new SequentialBuilder(name);
        foreach (var agent in agents) builder.Then(agent);
        return builder.Build();
    }

    /// <summary>Adds an agent at the end of the chain, drawing on the named <paramref name="resource"/> when given.</summary>
    public SequentialBuilder Then(IAgent agent, string? id = null, RetryPolicy? retry = null, TimeSpan? timeout = null, string? resource = null) =>
        Then(new AgentStep(agent, id) { Retry = retry, Timeout = timeout, Resource = resource });

    /// <summary>Adds any step (a parallel step, a nested workflow...) at the end of the chain.</summary>
    public SequentialBuilder Then(Step step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _builder.AddStep(step);
        if (_chain.Count > 0) _builder.AddEdge(_chain[^1], step.Id);
        _chain.Add(step.Id);
        return this;
    }

    /// <summary>
    /// Sends any step's failure to <paramref name="handler"/>, which receives
    /// <c>{ error: { message, kind, step }, partial: { stepId: output } }</c>; its output is the pipeline's.
    /// </summary>
    public SequentialBuilder OnError(IAgent handler, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = new AgentStep(handler, id);
        return this;
    }

    private protected override WorkflowBuilder Compose()
    {
        var builder = _builder.Clone();
        if (_handler is null) return builder;
        builder.AddStep(_handler);
        foreach (var id in _chain) builder.OnError(id, _handler.Id);
        return builder;
    }
}
