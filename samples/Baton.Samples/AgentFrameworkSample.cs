using Baton.AgentFramework;
using Baton.AI;
using Microsoft.Agents.AI;

namespace Baton.Samples;

/// <summary>
/// Microsoft Agent Framework and Baton together: a MAF <see cref="ChatClientAgent"/> is a step of a Baton pipeline (its
/// session kept in the run, so its second step continues the same conversation, even after a resume), and the whole
/// pipeline is then used as a MAF <see cref="AIAgent"/>, streaming an update per step. The model is the built-in
/// scripted one.
/// </summary>
public static class AgentFrameworkSample
{
    public static async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        // MAF calls the model without a Baton run id, so the replies are counted across both runs below.
        var model = new ScriptedChatClient(
            "Findings: adoption of agents is rising; orchestration is the hard part.",
            "Agents are moving into production.",
            "Findings: adoption of agents is rising; orchestration is the hard part.",
            "Agents are moving into production.");
        IAgent editor = new ChatClientAgent(model, instructions: "You edit research notes.", name: "editor").AsBatonAgent();
        var research = Agent.Create("research", topic => $"Findings on {topic}: adoption is rising.");
        var pipeline = new WorkflowBuilder("maf-pipeline")
            .AddStep(research)
            .AddStep(editor, "edit")
            .AddStep(Agent.Create("ask", _ => "Shorten that to one sentence."))
            .AddStep(editor, "shorten")
            .AddEdge("research", "edit").AddEdge("edit", "ask").AddEdge("ask", "shorten")
            .Build();

        await using var runtime = new BatonRuntime();
        var result = await RunPrinter.RunAsync(runtime, pipeline, "AI agents", "maf-pipeline-1", cancellationToken);
        if (!result.IsSuccess) return 1;

        // The same pipeline as a MAF agent: one update per step event, then the output.
        AIAgent asMaf = pipeline.AsAIAgent(runtime);
        Console.WriteLine($"as a MAF agent '{asMaf.Name}':");
        var updates = new List<AgentResponseUpdate>();
        await foreach (var update in asMaf.RunStreamingAsync("AI agents", cancellationToken: cancellationToken))
        {
            updates.Add(update);
            if (update.AdditionalProperties?.TryGetValue(WorkflowAIAgent.StepProperty, out var step) == true)
            {
                Console.WriteLine($"  {update.AdditionalProperties[WorkflowAIAgent.StatusProperty],-15} {step}");
            }
        }

        var response = updates.ToAgentResponse();
        Console.WriteLine($"output: {response.Text}");
        return response.Text == result.Output!.AsText() ? 0 : 1;
    }
}
