using System.Text.Json.Nodes;
using Baton.Reports;
using Baton.Storage;

namespace Baton.Cli;

/// <summary>A run as <c>--json</c> prints it: the core's <see cref="Reports.RunReport"/>, written as the format's JSON.</summary>
internal static class RunReport
{
    /// <summary>The key of the step that stores a file's inputs: journaled, but not one of the file's steps.</summary>
    public const string InputsKey = "1:inputs";

    public static async Task<Reports.RunReport> BuildAsync(IRunStore store, string runId, Workflow? workflow, CancellationToken cancellationToken)
    {
        var builder = new RunReportBuilder(store)
        {
            HiddenKeys = [InputsKey],
            WorkflowResolver = record => Workflows.TryRebuild(record)?.Find(record.Workflow),
        };
        try
        {
            return await builder.BuildAsync(runId, workflow, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyNotFoundException)
        {
            throw new UsageException($"there is no run '{runId}' in the store");
        }
    }

    /// <summary>
    /// The report of a run this process just executed, read from the store and checked against how the engine says the
    /// run ended. When the store cannot give it (a full disk, a locked file: the run's end was never recorded, or the
    /// run not even created), or gives a status other than the engine's, the engine's result is what is reported, with
    /// its own error: never "there is no run" or "running" with no error for a run that failed here.
    /// </summary>
    public static async Task<Reports.RunReport> BuildForResultAsync(IRunStore store, RunResult result, Workflow workflow, CancellationToken cancellationToken)
    {
        Reports.RunReport? stored = null;
        Exception? unreadable = null;
        try
        {
            stored = await BuildAsync(store, result.RunId, workflow, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            unreadable = ex;
        }

        if (stored is not null && stored.Status == result.Status) return stored;
        var error = result.Error;
        if (unreadable is not null && error is null)
        {
            error = new StepError(ErrorKind.Fatal, $"the run's report could not be read from the store: {(unreadable is UsageException ? "the run is not in it" : unreadable.Message)}") { Code = "store" };
        }

        return new Reports.RunReport
        {
            RunId = result.RunId,
            Workflow = stored?.Workflow ?? workflow.Name,
            Status = result.Status,
            Output = result.Output,
            Steps = stored?.Steps ?? [],
            Usage = result.Usage,
            Children = stored?.Children ?? [],
            Error = error,
        };
    }

    public static string Print(JsonNode report) => report.ToJsonString(Reports.RunReport.Indented);
}
