using System.Text.Json.Nodes;
using Baton.AI;
using Microsoft.Extensions.AI;

namespace Baton.CrashHost;

/// <summary>
/// A model agent (on the scripted model) that calls a refund needing a person's approval, then a plain notify tool,
/// then answers: the shape the tool-approval crash tests kill between the approval and the refund's completion, and
/// between the refund's completion and the step's. Each tool logs <c>tool:NAME</c> before it works.
/// </summary>
public static class ToolApproval
{
    /// <summary>Builds the workflow; <paramref name="executed"/> hears each tool execution as it starts.</summary>
    public static Workflow Build(Action<string> executed)
    {
        var refund = new ApprovalRequiredTool(AIFunctionFactory.Create((int amount) =>
        {
            executed("tool:refund");
            return $"refunded {amount}";
        }, "refund", "Refunds the customer."));
        var notify = AIFunctionFactory.Create((string text) =>
        {
            executed("tool:notify");
            return $"notified: {text}";
        }, "notify", "Tells the customer.");
        var model = new ScriptedChatClient(new ScriptedModelOptions
        {
            ModelId = "desk",
            Replies =
            [
                ScriptedReply.ToolCall("refund", new JsonObject { ["amount"] = 30 }),
                ScriptedReply.ToolCall("notify", new JsonObject { ["text"] = "refund sent" }),
                ScriptedReply.FromText("refund done"),
            ],
        });
        return new SequentialBuilder("tool-approval")
            .Then(new ModelAgent("support", model, new ModelAgentOptions { Tools = [refund, notify] }))
            .Build();
    }
}
