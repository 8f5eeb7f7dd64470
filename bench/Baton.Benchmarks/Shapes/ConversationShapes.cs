using System.Text.Json.Nodes;
using Baton.AI;
using Microsoft.Agents.AI;
using Microsoft.Agents.AI.Workflows;
using Microsoft.Extensions.AI;
using MafWorkflow = Microsoft.Agents.AI.Workflows.Workflow;

namespace Baton.Benchmarks.Shapes;

/// <summary>
/// Group chats and handoffs of model agents on the scripted chat client, for Baton and for MAF's GroupChat and Handoff
/// orchestrations: two agents, a fixed number of turns, each turn one model call.
/// </summary>
public static class ConversationShapes
{
    /// <summary>What every model call answers in a group chat, and the last answer of a handoff.</summary>
    public const string Answer = "ok";

    /// <summary>A scripted model that answers <see cref="Answer"/> to every call.</summary>
    public static ScriptedChatClient Talker() => new(Answer);

    /// <summary>
    /// A scripted model for a two-agent handoff of <paramref name="turns"/> turns: <c>turns - 1</c> transfers back and
    /// forth (to b, to a, ...) through tools named <paramref name="prefix"/> + the target, then <see cref="Answer"/>.
    /// </summary>
    public static ScriptedChatClient PingPong(int turns, string prefix)
    {
        var replies = new List<ScriptedReply>();
        for (var i = 0; i < turns - 1; i++) replies.Add(ScriptedReply.ToolCall(prefix + (i % 2 == 0 ? "b" : "a"), new JsonObject { ["reason"] = "yours" }));
        replies.Add(ScriptedReply.FromText(Answer));
        return new ScriptedChatClient(new ScriptedModelOptions { Replies = replies });
    }

    /// <summary>Baton: a round-robin group chat of two model agents, <paramref name="turns"/> turns.</summary>
    public static Workflow BatonGroupChat(IChatClient client, int turns) => new GroupChatBuilder("chat")
        .Members(new ModelAgent("a", client), new ModelAgent("b", client))
        .MaxTurns(turns)
        .Build();

    /// <summary>Baton: the same group chat with C# members answering <see cref="Answer"/> at once (no model).</summary>
    public static Workflow BatonPlainGroupChat(int turns) => new GroupChatBuilder("plain-chat")
        .Members(Baton.Agent.Create("a", _ => Payload.FromText(Answer)), Baton.Agent.Create("b", _ => Payload.FromText(Answer)))
        .MaxTurns(turns)
        .Build();

    /// <summary>Baton: a handoff between two model agents that may transfer to each other.</summary>
    public static Workflow BatonHandoff(IChatClient client, int turns) => new HandoffBuilder("desk")
        .Agent(new ModelAgent("a", client), "b")
        .Agent(new ModelAgent("b", client), "a")
        .MaxHandoffs(turns)
        .Build();

    /// <summary>MAF: a round-robin GroupChat orchestration of two chat client agents, <paramref name="turns"/> turns.</summary>
    public static MafWorkflow MafGroupChat(IChatClient client, int turns)
    {
        AIAgent[] agents = [Agent(client, "a"), Agent(client, "b")];
        return AgentWorkflowBuilder.CreateGroupChatBuilderWith(members => new RoundRobinGroupChatManager(members) { MaximumIterationCount = turns })
            .AddParticipants(agents)
            .Build();
    }

    /// <summary>MAF: a Handoff orchestration between two chat client agents that may hand off to each other.</summary>
    public static MafWorkflow MafHandoff(IChatClient client)
    {
        var a = Agent(client, "a");
        var b = Agent(client, "b");
        return AgentWorkflowBuilder.CreateHandoffBuilderWith(a)
            .WithHandoff(a, b, "b's turn")
            .WithHandoff(b, a, "a's turn")
            .Build();
    }

    /// <summary>The prefix MAF gives its handoff tools (the target agent's id follows).</summary>
    public static string MafHandoffPrefix => HandoffWorkflowBuilder.FunctionPrefix;

    /// <summary>Runs a MAF agent workflow on one user message (and the turn token it waits for); returns the last message's text.</summary>
    public static async Task<string> RunMafAsync(MafWorkflow workflow, string task)
    {
        List<ChatMessage>? output = null;
        await using var run = await InProcessExecution.Default.RunStreamingAsync(workflow, new List<ChatMessage> { new(ChatRole.User, task) }).ConfigureAwait(false);
        await run.TrySendMessageAsync(new TurnToken(emitEvents: false)).ConfigureAwait(false);
        await foreach (var evt in run.WatchStreamAsync().ConfigureAwait(false))
        {
            switch (evt)
            {
                case WorkflowOutputEvent o:
                    output = o.As<List<ChatMessage>>();
                    break;
                case WorkflowErrorEvent error:
                    throw new InvalidOperationException($"MAF workflow error: {error.Exception}", error.Exception);
                case ExecutorFailedEvent failed:
                    throw new InvalidOperationException($"MAF executor '{failed.ExecutorId}' failed: {failed.Data}", failed.Data);
            }
        }

        return output is { Count: > 0 } messages ? messages[^1].Text : throw new InvalidOperationException("the MAF workflow ended without an output");
    }

    private static ChatClientAgent Agent(IChatClient client, string name) =>
        new(client, new ChatClientAgentOptions { Id = name, Name = name });
}
