namespace Baton;

/// <summary>
/// A planner-led team (Magentic-style): a manager agent assigns each round's step to one of the members, reads its
/// output, re-plans when progress stalls, and answers when the task is done. See <see cref="TeamStep"/>.
/// </summary>
public sealed class TeamBuilder : StepPatternBuilder<TeamBuilder, TeamStep>
{
    private readonly List<IAgent> _members = [];
    private IAgent? _manager;
    private int _maxRounds = 10;

    /// <summary>Starts a team called <paramref name="name"/>.</summary>
    public TeamBuilder(string name)
        : base(name)
    {
    }

    /// <summary>
    /// The manager: each round it receives the task, the conversation, the members and its ledger (<c>{ task,
    /// messages: [{ from, text }], members, round, maxRounds, plan, ledger, replan }</c>; the team's notes to it come
    /// from <c>team</c>) and
    /// answers <c>{ next, instruction }</c> or <c>{ next: "done", answer }</c>. Usually a model agent.
    /// </summary>
    public TeamBuilder Manager(IAgent manager)
    {
        _manager = manager ?? throw new ArgumentNullException(nameof(manager));
        return this;
    }

    /// <summary>Adds members; each receives the conversation ending with the manager's instruction to it (also as <c>instruction</c>).</summary>
    public TeamBuilder Members(params IAgent[] members)
    {
        ArgumentNullException.ThrowIfNull(members);
        _members.AddRange(members);
        return this;
    }

    /// <summary>Manager turns at most (10 by default); one more fails the step with code <c>round_limit</c>.</summary>
    public TeamBuilder MaxRounds(int rounds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        _maxRounds = rounds;
        return this;
    }

    /// <summary>
    /// The team as a step, to place inside another workflow. Turns run one at a time, so
    /// <see cref="PatternBuilder{TBuilder}.MaxParallel"/> bounds the runs of the workflow <see cref="PatternBuilder{TBuilder}.Build"/> makes.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no manager or no member.</exception>
    public override TeamStep BuildStep(string? id = null)
    {
        if (_manager is null) throw new InvalidOperationException($"team '{Name}' needs a manager: call Manager");
        if (_members.Count == 0) throw new InvalidOperationException($"team '{Name}' needs members: call Members");
        return new TeamStep(id ?? Name, _manager, _members) { MaxRounds = _maxRounds };
    }
}
