using System.Text.Json.Nodes;
using Baton.AI;
using Microsoft.Extensions.AI;

namespace Baton.Samples;

/// <summary>
/// A customer-support handoff desk: triage hands the customer to billing or tech support by calling the
/// <c>transfer_to_billing</c> or <c>transfer_to_tech</c> tool it is offered; billing's refund tool needs a person's
/// approval, so the run suspends (durably: another process could answer) until the sample approves it. On the scripted
/// model; the same desk as a workflow file is samples/workflows/support-desk.yaml.
/// </summary>
public static class SupportDeskSample
{
    public static async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        var desk = SampleModels.Create(() => new ScriptedChatClient(new ScriptedModelOptions
        {
            ModelId = "desk",
            Rules =
            [
                new ScriptedRule("^You are triage[\\s\\S]*(charged|refund|invoice)", ScriptedReply.ToolCall("transfer_to_billing", new JsonObject { ["reason"] = "double charge on the subscription" })),
                new ScriptedRule("^You are triage", ScriptedReply.ToolCall("transfer_to_tech", new JsonObject { ["reason"] = "a technical problem" })),
                new ScriptedRule("^You are tech", ScriptedReply.FromText("Please update the app to the latest version.")),
            ],
        }));
        // Billing's model calls the refund tool, then answers once it has the tool's result.
        var cashier = SampleModels.Create(() => new ScriptedChatClient(new ScriptedModelOptions
        {
            ModelId = "cashier", // its own call count: a run keeps one per scripted model id
            Replies =
            [
                ScriptedReply.ToolCall("refund", new JsonObject { ["amount"] = 19.99 }),
                ScriptedReply.FromText("I refunded the duplicate charge of 19.99; it shows on your card in 3-5 days."),
            ],
        }));
        // Nothing is refunded unless a person approves the call (the run waits for the answer, even across a restart).
        var refund = new ApprovalRequiredAIFunction(AIFunctionFactory.Create((double amount) => $"refunded {amount}", "refund", "Refunds an amount to the customer's card."));

        var triage = new ModelAgent("triage", desk, new ModelAgentOptions { Instructions = "You are triage. Hand the customer to billing or tech." });
        var billing = new ModelAgent("billing", cashier, new ModelAgentOptions { Instructions = "You are billing. Resolve payment problems.", Tools = [refund] });
        var tech = new ModelAgent("tech", desk, new ModelAgentOptions { Instructions = "You are tech support." });
        var handoff = new HandoffBuilder("support-desk")
            .Agent(triage, "billing", "tech")
            .Agent(new HandoffAgent("billing", billing, ["triage"]) { Description = "payments, refunds, invoices" })
            .Agent(new HandoffAgent("tech", tech, ["triage"]) { Description = "the app, log-in, errors" })
            .MaxHandoffs(4)
            .Build();

        await using var runtime = new BatonRuntime();
        var run = runtime.Start(handoff, "I was charged twice for my subscription this month.", new RunOptions { RunId = "support-desk-1" }, cancellationToken);
        await foreach (var runEvent in run.WatchAsync())
        {
            switch (runEvent)
            {
                case StepCompletedEvent step:
                    Console.WriteLine($"  {step.Key,-34} -> {step.Output}");
                    break;
                case StepWaitingForHumanEvent waiting:
                    // Here a person answers (CLI, dashboard, API); the sample approves at once.
                    Console.WriteLine($"  {waiting.Key,-34} asks: {waiting.Request.Prompt} -> yes");
                    await runtime.Humans.AnswerAsync(waiting.Request.Id, "yes", cancellationToken);
                    break;
            }
        }

        var result = await run.Completion;
        Console.WriteLine(result.IsSuccess ? $"output: {result.Output}" : $"error: {result.Error}");
        return result.IsSuccess ? 0 : 1;
    }
}
