namespace Baton.Samples;

/// <summary>Starts a run, prints its events as they happen, and returns its result.</summary>
internal static class RunPrinter
{
    public static async Task<RunResult> RunAsync(BatonRuntime runtime, Workflow workflow, Payload input, string runId, CancellationToken cancellationToken)
    {
        // A fixed run id makes the run reproducible: retry jitter is seeded by it.
        var handle = runtime.Start(workflow, input, new RunOptions { RunId = runId }, cancellationToken);
        // The stream ends when the run ends, cancelled runs included.
        await foreach (var runEvent in handle.WatchAsync())
        {
            if (Describe(runEvent) is { } line) Console.WriteLine(line);
        }

        var result = await handle.Completion;
        Console.WriteLine(result.IsSuccess ? $"output: {result.Output}" : $"error: {result.Error}");
        return result;
    }

    private static string? Describe(RunEvent runEvent) => runEvent switch
    {
        RunStartedEvent started => $"run '{started.RunId}' of {started.Workflow} started",
        StepCompletedEvent step => $"  {step.Key,-34} -> {OneLine(step.Output)}",
        StepRetryingEvent retry => $"  {retry.Key,-34} attempt {retry.Attempt} failed ({retry.Error.Kind}: {retry.Error.Message}), retrying in {retry.Delay.TotalMilliseconds:0} ms",
        StepFailedEvent failed => $"  {failed.Key,-34} failed after {failed.Attempts} attempt(s): {failed.Error.Kind}: {failed.Error.Message}",
        StepWaitedForResourceEvent waited => $"  {waited.Key,-34} waited {waited.Waited.TotalMilliseconds:0} ms for {waited.Resource}",
        CustomRunEvent custom => $"  {custom.Key,-34} reports {custom.Name}: {custom.Data}",
        RunEndedEvent ended => $"run {ended.Status.ToString().ToLowerInvariant()}",
        _ => null, // StepStartedEvent: the completion line says enough here
    };

    private static string OneLine(Payload payload)
    {
        var text = payload.AsText().ReplaceLineEndings(" ");
        return text.Length <= 90 ? text : string.Concat(text.AsSpan(0, 87), "...");
    }
}
