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
            WorkflowResolver = record => Workflows.TryRebuild(record)?.Workflow,
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

    public static string Print(JsonNode report) => report.ToJsonString(Reports.RunReport.Indented);
}
