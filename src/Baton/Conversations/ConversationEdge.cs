namespace Baton;

/// <summary>
/// Who may pass a conversation to whom, between the children of a conversation step (<see cref="Step.Children"/> by
/// name): a handoff agent to each agent it may <c>transfer</c> to; a group chat's manager to each member it may pick
/// <c>next</c> (round robin: each member to the next); a team's manager to each member it may <c>assign</c> to. The
/// graphs draw these as dotted edges: who speaks is decided at run time, not by the workflow's edges.
/// </summary>
/// <param name="From">The child that passes the conversation on.</param>
/// <param name="Kind">How: <c>transfer</c>, <c>next</c> or <c>assign</c>.</param>
/// <param name="To">The child it may pass it to.</param>
public sealed record ConversationEdge(string From, string Kind, string To)
{
    /// <summary>The conversation edges among a step's children; none for a step that is not a conversation.</summary>
    public static IEnumerable<ConversationEdge> Of(Step step)
    {
        ArgumentNullException.ThrowIfNull(step);
        switch (step)
        {
            case HandoffStep handoff:
                foreach (var (name, targets) in handoff.Agents)
                {
                    foreach (var target in targets) yield return new(name, "transfer", target);
                }

                break;
            case GroupChatStep { ManagerName: not null } managed:
                // The group chat's manager is its child "manager", whatever the agent's own name.
                foreach (var member in managed.Members) yield return new("manager", "next", member);
                break;
            case GroupChatStep roundRobin when roundRobin.Members.Count > 1:
                for (var i = 0; i < roundRobin.Members.Count; i++) yield return new(roundRobin.Members[i], "next", roundRobin.Members[(i + 1) % roundRobin.Members.Count]);
                break;
            case TeamStep team:
                foreach (var member in team.MemberNames) yield return new(team.ManagerName, "assign", member);
                break;
        }
    }
}
