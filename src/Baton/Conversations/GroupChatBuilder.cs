namespace Baton;

/// <summary>
/// A group chat: members take turns on one transcript, in order or as a manager agent picks, until the manager says
/// done, a condition holds, or the turn limit (see <see cref="GroupChatStep"/>).
/// </summary>
public sealed class GroupChatBuilder : StepPatternBuilder<GroupChatBuilder, GroupChatStep>
{
    private readonly List<IAgent> _members = [];
    private IAgent? _manager;
    private int _maxTurns = 10;
    private Func<GroupChatProgress, bool>? _until;
    private MemberFailure _onFailure;

    /// <summary>Starts a group chat called <paramref name="name"/>.</summary>
    public GroupChatBuilder(string name)
        : base(name)
    {
    }

    /// <summary>Adds members, in speaking order for round robin.</summary>
    public GroupChatBuilder Members(params IAgent[] members)
    {
        ArgumentNullException.ThrowIfNull(members);
        foreach (var member in members) _members.Add(member ?? throw new ArgumentNullException(nameof(members)));
        return this;
    }

    /// <summary>A manager agent picks each next speaker: it answers a member's name (or <c>{ "next": name }</c>) or <c>done</c>.</summary>
    public GroupChatBuilder Manager(IAgent manager)
    {
        _manager = manager ?? throw new ArgumentNullException(nameof(manager));
        return this;
    }

    /// <summary>Members speak in order, again and again (the default).</summary>
    public GroupChatBuilder RoundRobin()
    {
        _manager = null;
        return this;
    }

    /// <summary>The most turns (10 by default).</summary>
    public GroupChatBuilder MaxTurns(int turns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(turns, 1);
        _maxTurns = turns;
        return this;
    }

    /// <summary>Ends the chat after a turn when <paramref name="done"/> returns true.</summary>
    public GroupChatBuilder Until(Func<GroupChatProgress, bool> done)
    {
        _until = done ?? throw new ArgumentNullException(nameof(done));
        return this;
    }

    /// <summary>What a member's failed turn does: fail the chat (the default) or leave the turn out and go on.</summary>
    public GroupChatBuilder OnMemberFailure(MemberFailure failure)
    {
        _onFailure = failure;
        return this;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The chat has no member.</exception>
    public override GroupChatStep BuildStep(string? id = null)
    {
        if (_members.Count == 0) throw new InvalidOperationException($"group chat '{Name}' needs members: call Members");
        return new GroupChatStep(id ?? Name, _members, _manager) { MaxTurns = _maxTurns, Until = _until, OnMemberFailure = _onFailure };
    }
}
