namespace Baton;

/// <summary>
/// Named states with conditional transitions. After a state's step, its transitions are tried in
/// the order they were added and the first that holds is taken; none (or <see cref="End"/>)
/// finishes with that state's output. Loops are allowed and bounded by the run's step limit.
/// </summary>
public sealed class StateMachineBuilder : PatternBuilder<StateMachineBuilder>
{
    private readonly WorkflowBuilder _builder;

    /// <summary>The transition target that finishes the machine.</summary>
    public const string End = Edge.End;

    /// <summary>Starts a state machine called <paramref name="name"/>; the first state added is the start.</summary>
    public StateMachineBuilder(string name)
        : base(name) => _builder = new WorkflowBuilder(name);

    /// <summary>Adds a state whose step runs an agent, drawing on the named <paramref name="resource"/> when given.</summary>
    public StateMachineBuilder State(string name, IAgent agent, RetryPolicy? retry = null, TimeSpan? timeout = null, string? resource = null) =>
        State(new AgentStep(agent, name) { Retry = retry, Timeout = timeout, Resource = resource });

    /// <summary>Adds a state whose step is any step (its id names the state).</summary>
    public StateMachineBuilder State(Step step)
    {
        _builder.AddStep(step);
        return this;
    }

    /// <summary>Adds a transition; <paramref name="when"/> null always holds; <paramref name="label"/> shows it in graphs.</summary>
    public StateMachineBuilder Transition(string from, string to, EdgeCondition? when = null, string? label = null)
    {
        _builder.AddEdge(from, to, when, label);
        return this;
    }

    /// <summary>Sends a state's failure to another state, which receives <c>{ error, partial }</c>.</summary>
    public StateMachineBuilder OnError(string from, string to)
    {
        _builder.OnError(from, to);
        return this;
    }

    /// <summary>Names the first state.</summary>
    public StateMachineBuilder Start(string state)
    {
        _builder.StartAt(state);
        return this;
    }

    /// <summary>Declares a state variable and its reducer.</summary>
    public StateMachineBuilder DeclareState(string name, StateReducer reducer)
    {
        _builder.DeclareState(name, reducer);
        return this;
    }

    // The step limit of WithLimits is what bounds the machine's loops.
    private protected override WorkflowBuilder Compose() => _builder.Clone();
}
