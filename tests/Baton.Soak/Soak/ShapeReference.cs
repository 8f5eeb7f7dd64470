using System.Collections.Concurrent;
using Baton.CrashHost;
using Baton.Storage;

namespace Baton.Soak.Soak;

/// <summary>
/// What an uninterrupted run of a shape produces, in one process on the in-memory store: the output, every run's
/// output (the runs its events started too), the side effects by label, and how many steps it executes.
/// </summary>
/// <param name="Output">The run's output.</param>
/// <param name="RunOutputs">Each run's workflow and output, sorted.</param>
/// <param name="Effects">Each side effect's label (the run's workflow and the step's key), sorted.</param>
/// <param name="Executions">Step executions in the run and the runs it started.</param>
public sealed record ShapeReference(string Output, IReadOnlyList<string> RunOutputs, IReadOnlyList<string> Effects, int Executions)
{
    /// <summary>Runs the shape once, uninterrupted (answering its question, if it asks one).</summary>
    public static async Task<ShapeReference> RunAsync(string shape)
    {
        var executions = 0;
        var effects = new ConcurrentQueue<(string Key, string RunId)>();
        var reporter = new CrashEffects(_ => Interlocked.Increment(ref executions), (key, run) => effects.Enqueue((key, run)));
        await using var runtime = new BatonRuntime();
        var workflow = CrashWorkflows.Build(shape, reporter);
        if (CrashWorkflows.EventChild(shape, reporter) is { } child) runtime.Events.Subscribe(CrashWorkflows.EventTopic, child);
        // On the in-memory store a question waits in memory: the answer is given when the run asks it.
        var handle = runtime.Start(workflow, CrashWorkflows.Input, new RunOptions { RunId = "reference" });
        await foreach (var e in handle.WatchAsync())
        {
            if (e is not StepWaitingForHumanEvent waiting) continue;
            var answer = await runtime.Humans.AnswerAsync(waiting.Request.Id, CrashWorkflows.Answer);
            if (!answer.Accepted) throw new InvalidOperationException($"the answer was refused: {answer.Reason}");
            break;
        }

        var result = await handle.Completion;
        await runtime.Events.WhenIdleAsync();
        if (!result.IsSuccess) throw new InvalidOperationException($"the uninterrupted {shape} run ended {result.Status}: {result.Error?.Message}");
        var (outputs, labels) = await ReadAsync(runtime.Store, effects);
        return new ShapeReference(result.Output!.AsText(), outputs, labels, executions);
    }

    /// <summary>Every run's workflow and output, and the effects' labels, read from a store and a ledger.</summary>
    public static async Task<(IReadOnlyList<string> RunOutputs, IReadOnlyList<string> Effects)> ReadAsync(IRunStore store, IEnumerable<(string Key, string RunId)> effects)
    {
        ArgumentNullException.ThrowIfNull(store);
        var runs = await store.ListRunsAsync();
        var workflows = runs.ToDictionary(r => r.RunId, r => r.Workflow, StringComparer.Ordinal);
        var outputs = new List<string>();
        foreach (var run in runs) outputs.Add($"{run.Workflow}: {await CrashRuns.OutputAsync(store, run.RunId) ?? run.Status.ToString()}");
        // A label names the run by its workflow, so runs started by events (with random ids) compare across executions.
        var labels = effects.Select(e => (workflows.TryGetValue(e.RunId, out var w) ? w : "unknown run " + e.RunId) + e.Key[e.RunId.Length..]).ToList();
        outputs.Sort(StringComparer.Ordinal);
        labels.Sort(StringComparer.Ordinal);
        return (outputs, labels);
    }
}
