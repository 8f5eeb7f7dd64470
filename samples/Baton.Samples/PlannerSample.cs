using Baton.AI;
using Baton.AI.Planning;

namespace Baton.Samples;

/// <summary>
/// An LLM planner: the model turns a goal into a plan over registered skills. Its first plan names a skill that does
/// not exist, so it is rejected with the reason and the model plans again; the valid plan runs as a graph — the two
/// searches at once, the comparison when both are done, with their outputs passed by reference.
/// The model is the built-in scripted one; any IChatClient (OpenAI, Ollama...) works the same.
/// </summary>
public static class PlannerSample
{
    public static async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        var skills = new SkillRegistry()
            .Add((string query) => $"findings on '{query}': adoption is rising, orchestration is the hard part", "search", "Searches recent sources for a query.")
            .Add((string first, string second) => $"Both agree: {Common(first, second)}.", "compare", "Compares two findings and says what they agree on.");

        var model = new ScriptedChatClient(new ScriptedModelOptions
        {
            Replies =
            [
                // First try: a skill the registry does not have.
                ScriptedReply.FromText("""{"steps":[{"id":"s1","skill":"browse","args":{"url":"https://example.org"},"dependsOn":[]}],"output":"s1"}"""),
                // Second try, told why: two independent searches, then a comparison of their outputs.
                ScriptedReply.FromText("""
                {"steps":[
                  {"id":"prod","skill":"search","args":{"query":"agents in production"},"dependsOn":[]},
                  {"id":"cost","skill":"search","args":{"query":"cost of running agents"},"dependsOn":[]},
                  {"id":"both","skill":"compare","args":{"first":{"$ref":"prod"},"second":{"$ref":"cost"}},"dependsOn":["prod","cost"]}
                ],"output":"both"}
                """),
            ],
        });

        var workflow = Planner.Build("planned-research", model, skills);
        await using var runtime = new BatonRuntime();
        var result = await RunPrinter.RunAsync(runtime, workflow, "What do recent sources agree on about AI agents?", "planner-1", cancellationToken);
        // The planner passes no run id to the model, so its calls share one count.
        Console.WriteLine($"the model planned {model.CallsMade("")} times: the first plan named a skill that does not exist");
        return result.IsSuccess ? 0 : 1;
    }

    private static string Common(string first, string second)
    {
        var a = first[(first.IndexOf(':') + 1)..].Split(',', StringSplitOptions.TrimEntries);
        var b = second[(second.IndexOf(':') + 1)..].Split(',', StringSplitOptions.TrimEntries);
        return string.Join(" and ", a.Intersect(b));
    }
}
