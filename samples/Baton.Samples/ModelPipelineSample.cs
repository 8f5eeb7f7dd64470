using Baton.AI;

namespace Baton.Samples;

/// <summary>
/// Research → analysis → writing with model agents. The researcher may call a search tool; the analyst must answer
/// JSON matching a schema (its confidence comes from the reply, and its first, invalid reply is repaired); the writer
/// reads both named results from run state. On the scripted model by default; set BATON_MODEL=openai:gpt-4o-mini or
/// BATON_MODEL=ollama:llama3.1 to use a real one.
/// </summary>
public static class ModelPipelineSample
{
    public static async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        var search = Microsoft.Extensions.AI.AIFunctionFactory.Create(
            (string query) => $"[1] Survey 2026: 62% of teams run agents in production. [2] Costs per task fell 40% in a year. (query: {query})",
            "search", "Searches recent sources and returns short excerpts.");

        // One scripted model per agent, each with its script (a real model needs none of this: one setting switches all three).
        var researcher = SampleModels.Create(() => new ScriptedChatClient(new ScriptedModelOptions
        {
            Replies =
            [
                ScriptedReply.ToolCall("search", new() { ["query"] = "AI agents in production 2026" }),
                ScriptedReply.FromText("Findings: 62% of teams run agents in production [1]; cost per task fell 40% [2]."),
            ],
        }));
        var analyst = SampleModels.Create(() => new ScriptedChatClient(new ScriptedModelOptions
        {
            Replies =
            [
                ScriptedReply.FromText("""{"trend":"Agents are moving into production."}"""),
                ScriptedReply.FromText("""{"trend":"Agents are moving into production as costs fall.","confidence":0.86}"""),
            ],
        }));
        var writer = SampleModels.Create(() => new ScriptedChatClient("Report: 62% of teams now run AI agents in production, helped by a 40% fall in cost per task."));

        var research = new ModelAgent("research", researcher, new ModelAgentOptions
        {
            Instructions = "You research {{ input }}. Use the search tool, then list the key findings with their sources.",
            Tools = [search],
            OutputVariable = "findings",
        });
        var analyze = new ModelAgent("analyze", analyst, new ModelAgentOptions
        {
            Instructions = "You analyze research findings. Reply with JSON: the main trend and your confidence (0..1).",
            Output = OutputSchema.FromJson("""{"type":"object","properties":{"trend":{"type":"string"},"confidence":{"type":"number"}},"required":["trend","confidence"]}"""),
            OutputVariable = "analysis",
        });
        var write = new ModelAgent("write", writer, new ModelAgentOptions
        {
            Instructions = "You write a one-paragraph report for engineers.",
            InputVariables = ["findings", "analysis"],
            Price = new ModelPrice(InputPerMillion: 0.15m, OutputPerMillion: 0.60m),
        });

        var pipeline = new SequentialBuilder("model-report").Then(research).Then(analyze).Then(write).Build();
        await using var runtime = new BatonRuntime();
        Console.WriteLine($"model: {SampleModels.Setting}");
        var result = await RunPrinter.RunAsync(runtime, pipeline, "AI agents", "model-report-1", cancellationToken);
        Console.WriteLine($"tokens: {result.Usage.InputTokens} in, {result.Usage.OutputTokens} out; cost of the writer: {result.Usage.Cost:0.000000}");
        return result.IsSuccess ? 0 : 1;
    }
}
