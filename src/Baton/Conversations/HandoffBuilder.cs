namespace Baton;

/// <summary>
/// A handoff: the agent in charge answers or transfers the conversation to one of its targets through
/// <c>transfer_to_NAME</c> tools (see <see cref="HandoffStep"/>).
/// </summary>
public sealed class HandoffBuilder : StepPatternBuilder<HandoffBuilder, HandoffStep>
{
    private readonly List<HandoffAgent> _agents = [];
    private string? _start;
    private int _maxHandoffs = 10;

    /// <summary>Starts a handoff called <paramref name="name"/>.</summary>
    public HandoffBuilder(string name)
        : base(name)
    {
    }

    /// <summary>Adds an agent under its own name, with the names of the agents it may transfer to. The first added starts unless <see cref="StartWith"/> says otherwise.</summary>
    public HandoffBuilder Agent(IAgent agent, params string[] to)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return Agent(new HandoffAgent(agent.Name, agent, to ?? []));
    }

    /// <summary>Adds an agent (its name in the handoff, its targets, its description).</summary>
    public HandoffBuilder Agent(HandoffAgent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        _agents.Add(agent);
        return this;
    }

    /// <summary>The agent in charge first (by its name in the handoff).</summary>
    public HandoffBuilder StartWith(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _start = name;
        return this;
    }

    /// <summary>The most transfers (10 by default); one more fails the step with code <c>handoff_limit</c>.</summary>
    public HandoffBuilder MaxHandoffs(int handoffs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(handoffs);
        _maxHandoffs = handoffs;
        return this;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The handoff has no agent.</exception>
    /// <exception cref="ArgumentException">The start or a target names no agent of the handoff.</exception>
    public override HandoffStep BuildStep(string? id = null)
    {
        if (_agents.Count == 0) throw new InvalidOperationException($"handoff '{Name}' needs agents: call Agent");
        return new HandoffStep(id ?? Name, _start ?? _agents[0].Name, _agents) { MaxHandoffs = _maxHandoffs };
    }
}
