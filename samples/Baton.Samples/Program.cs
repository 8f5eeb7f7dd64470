using Baton.Samples;

// Usage: dotnet run --project samples/Baton.Samples -- [pipeline|parallel|manager|inbox|research-loop|research-panel|research-panel-cluster|model-pipeline|planner|writer-critic|support-desk|research-team|maf-agent|all]
var samples = new Dictionary<string, Func<CancellationToken, Task<int>>>(StringComparer.OrdinalIgnoreCase)
{
    ["pipeline"] = PipelineSample.RunAsync,
    ["parallel"] = ParallelSample.RunAsync,
    ["manager"] = ManagerSample.RunAsync,
    ["inbox"] = InboxSample.RunAsync,
    ["research-loop"] = ResearchLoopSample.RunAsync,
    ["research-panel"] = ResearchPanelSample.RunAsync,
    ["research-panel-cluster"] = ResearchPanelClusterSample.RunAsync,
    ["model-pipeline"] = ModelPipelineSample.RunAsync,
    ["planner"] = PlannerSample.RunAsync,
    ["writer-critic"] = WriterCriticSample.RunAsync,
    ["support-desk"] = SupportDeskSample.RunAsync,
    ["research-team"] = ResearchTeamSample.RunAsync,
    ["maf-agent"] = AgentFrameworkSample.RunAsync,
};

var name = args.Length > 0 ? args[0] : "all";
string[] chosen = name.Equals("all", StringComparison.OrdinalIgnoreCase) ? [.. samples.Keys] : [name];
if (args.Length > 1 || !chosen.All(samples.ContainsKey))
{
    Console.Error.WriteLine($"usage: Baton.Samples [{string.Join('|', samples.Keys)}|all]");
    return 2;
}

// Ctrl+C cancels the running sample's run: every step in flight sees the cancellation.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var failed = new List<string>();
foreach (var sample in chosen)
{
    Console.WriteLine($"=== {sample} ===");
    try
    {
        if (await samples[sample](cancel.Token) != 0) failed.Add(sample);
    }
    catch (OperationCanceledException) when (cancel.IsCancellationRequested)
    {
        Console.WriteLine("cancelled");
        return 130;
    }

    Console.WriteLine();
}

Console.WriteLine(failed.Count == 0 ? $"{chosen.Length} sample(s) succeeded" : $"failed: {string.Join(", ", failed)}");
return failed.Count == 0 ? 0 : 1;
