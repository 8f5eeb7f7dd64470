using System.Text.Json.Nodes;
using Baton.Server.Workflows;

namespace Baton.Server.Tests;

/// <summary>The JSON graph's conversation edges: the same ways a conversation may go as the Mermaid graph's dotted edges.</summary>
public sealed class WorkflowGraphTests
{
    private static (string From, string Kind, string To)[] Conversation(JsonObject graph, int step = 0) =>
        [.. graph["steps"]![step]!["conversation"]!.AsArray().Select(e => (e!["from"]!.GetValue<string>(), e["kind"]!.GetValue<string>(), e["to"]!.GetValue<string>()))];

    [Fact]
    public void A_handoff_lists_each_transfer_an_agent_may_make_by_its_child_name()
    {
        var workflow = new HandoffBuilder("desk")
            .Agent(Agent.Identity("triage"), "billing", "tech")
            .Agent(Agent.Identity("billing"), "triage")
            .Agent(Agent.Identity("tech"))
            .Build();

        var graph = WorkflowGraph.ToJson(workflow);

        Assert.Equal([("triage", "transfer", "billing"), ("triage", "transfer", "tech"), ("billing", "transfer", "triage")], Conversation(graph));
        // Every edge names children the step has, so the dashboard can draw it between them.
        var children = graph["steps"]![0]!["children"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToHashSet();
        Assert.All(Conversation(graph), e => Assert.True(children.Contains(e.From) && children.Contains(e.To), $"{e} is not between the step's children {string.Join(", ", children)}"));
    }

    [Fact]
    public void A_group_chat_lists_its_manager_picking_each_member_and_round_robin_each_member_passing_to_the_next()
    {
        var managed = new GroupChatBuilder("chat").Members(Agent.Identity("writer"), Agent.Identity("critic")).Manager(Agent.Identity("host")).Build();
        var roundRobin = new GroupChatBuilder("chat").Members(Agent.Identity("writer"), Agent.Identity("critic"), Agent.Identity("editor")).Build();

        Assert.Equal([("manager", "next", "writer"), ("manager", "next", "critic")], Conversation(WorkflowGraph.ToJson(managed)));
        Assert.Equal([("writer", "next", "critic"), ("critic", "next", "editor"), ("editor", "next", "writer")], Conversation(WorkflowGraph.ToJson(roundRobin)));
    }

    [Fact]
    public void A_team_lists_its_manager_assigning_each_member_and_other_steps_list_none()
    {
        var team = new TeamBuilder("team").Manager(Agent.Identity("lead")).Members(Agent.Identity("researcher"), Agent.Identity("writer")).Build();
        var plain = new WorkflowBuilder("plain").AddStep(Agent.Identity("a")).AddStep(Agent.Identity("b")).AddEdge("a", "b").Build();

        Assert.Equal([("lead", "assign", "researcher"), ("lead", "assign", "writer")], Conversation(WorkflowGraph.ToJson(team)));
        var plainGraph = WorkflowGraph.ToJson(plain);
        Assert.All(plainGraph["steps"]!.AsArray(), s => Assert.Empty(s!["conversation"]!.AsArray()));
    }
}
