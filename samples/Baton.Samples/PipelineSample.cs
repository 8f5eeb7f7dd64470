namespace Baton.Samples;

/// <summary>
/// A research -> analysis -> writing pipeline. Each step's output is the next one's input.
/// The writer's model is "busy" once, so the engine retries it; a topic with no sources makes
/// the analyst fail, and the error handler writes a fallback report from the partial results.
/// </summary>
public static class PipelineSample
{
    public static async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        var research = Agent.Create("research", topic =>
            topic.AsText() == "AI agents"
                ? "agents move into production; orchestration is the hard part; costs fall"
                : "no sources found");

        var analyze = Agent.Create("analyze", (findings, context, ct) => ValueTask.FromResult(
            findings.AsText().StartsWith("no sources", StringComparison.Ordinal)
                ? AgentResult.Failure(ErrorKind.Recoverable, "nothing to analyze")
                : AgentResult.Success($"Key insight: {findings.AsText().Split("; ")[0]}.")));

        var write = Agent.Create("write", (analysis, context, ct) => ValueTask.FromResult(
            context.Attempt == 1
                ? AgentResult.Failure(ErrorKind.Transient, "model busy") // retried after ~200 ms
                : AgentResult.Success($"REPORT. {analysis}")));

        // The handler receives { error: { message, kind, step }, partial: { stepId: output } }.
        var fallback = Agent.Create("fallback", envelope =>
        {
            var error = envelope.AsJson().GetProperty("error");
            var partial = envelope.AsJson().GetProperty("partial");
            return $"No report: step '{error.GetProperty("step")}' failed ({error.GetProperty("message")}); " +
                   $"research said '{partial.GetProperty("research")}'.";
        });

        var pipeline = new SequentialBuilder("report-pipeline")
            .Then(research)
            .Then(analyze)
            .Then(write)
            .OnError(fallback)
            .Build();

        await using var runtime = new BatonRuntime();
        var good = await RunPrinter.RunAsync(runtime, pipeline, "AI agents", "pipeline-1", cancellationToken);
        Console.WriteLine();
        var handled = await RunPrinter.RunAsync(runtime, pipeline, "quantum gardening", "pipeline-2", cancellationToken);
        return good.IsSuccess && handled.IsSuccess ? 0 : 1;
    }
}
