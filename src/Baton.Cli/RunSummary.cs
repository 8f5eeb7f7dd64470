using System.Globalization;
using Baton.Reports;
using Baton.Storage;

namespace Baton.Cli;

/// <summary>
/// <c>baton runs show RUN</c> without <c>--json</c>: the run's status and times, each step (indented under the step
/// it belongs to) with its status, attempts, time and tokens, then the run's error or open question.
/// </summary>
internal static class RunSummary
{
    /// <summary>Writes the summary of a run from its report and its stored record (which has when it started and last changed).</summary>
    public static void Write(Reports.RunReport report, RunRecord record, TextWriter writer)
    {
        var steps = report.Steps;
        var started = record.StartedAt;
        writer.WriteLine($"run {report.RunId}: {report.Workflow}, {Reports.RunReport.StatusName(report.Status)}");
        // A run that ended last changed when it ended.
        var finished = report.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled ? record.UpdatedAt : (DateTimeOffset?)null;
        writer.WriteLine($"started {Reports.RunReport.Time(started)}{(finished is { } end ? $", ended {Reports.RunReport.Time(end)} ({Duration(end - started)})" : "")}");
        writer.WriteLine($"tokens {Number(report.Usage.InputTokens)} in, {Number(report.Usage.OutputTokens)} out{(report.Usage.Cost > 0 ? $", cost {report.Usage.Cost.ToString("0.####", CultureInfo.InvariantCulture)}" : "")}");
        writer.WriteLine();
        if (steps.Count == 0)
        {
            writer.WriteLine("no step has started");
        }
        else
        {
            var depths = new Dictionary<string, int>(StringComparer.Ordinal);
            var rows = steps.Select(s =>
            {
                var depth = s.Parent is { } parent && depths.TryGetValue(parent, out var d) ? d + 1 : 0;
                depths[s.Path] = depth;
                return (Name: new string(' ', 2 * depth) + Name(s), Step: s);
            }).ToArray();
            var width = Math.Max(4, rows.Max(r => r.Name.Length));
            writer.WriteLine($"{"step".PadRight(width)}  {"status",-10} {"attempts",8}  {"time",9}  {"tokens",8}");
            foreach (var (name, step) in rows)
            {
                var time = step.EndedAt is { } ended ? Duration(ended - step.StartedAt) : "";
                var tokens = step.Usage.InputTokens + step.Usage.OutputTokens;
                writer.WriteLine($"{name.PadRight(width)}  {step.Status,-10} {step.Attempts,8}  {time,9}  {(tokens == 0 ? "" : Number(tokens)),8}".TrimEnd());
            }
        }

        if (Reports.RunReport.Value(report.Output) is { } output)
        {
            var text = (output is System.Text.Json.Nodes.JsonValue value && value.TryGetValue<string>(out var s) ? s : output.ToJsonString()).ReplaceLineEndings(" ");
            writer.WriteLine();
            writer.WriteLine($"output: {(text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 199), "…"))}");
        }

        if (report.Error is { } error)
        {
            writer.WriteLine();
            writer.WriteLine($"error{(error.StepId is null ? "" : $" in {error.StepId}")}{(error.Code is null ? "" : $" ({error.Code})")}: {error.Message}");
        }

        if (report.Status == RunStatus.Running)
        {
            writer.WriteLine();
            writer.WriteLine($"run {report.RunId} has not finished: {steps.Count(s => s.Status == "succeeded")} step(s) done so far; if its process was stopped, continue it with: baton runs resume {report.RunId}");
        }

        if (report.Status == RunStatus.Waiting && steps.LastOrDefault(s => s.Status == "waiting") is { } waiting)
        {
            writer.WriteLine();
            writer.WriteLine($"waiting for a person: {waiting.Question}");
            writer.WriteLine($"answer with: baton runs answer {report.RunId} --value ...");
        }
    }

    /// <summary>A nested step by its path under its parent's (<c>first/a</c> under <c>parallel</c>), a top one by its path.</summary>
    private static string Name(RunReportStep step) =>
        step.Parent is { } parent && step.Path.StartsWith(parent + "/", StringComparison.Ordinal) ? step.Path[(parent.Length + 1)..] : step.Path;

    private static string Number(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary><c>12 ms</c>, <c>1.25 s</c>, <c>3m 05s</c>, <c>2h 03m</c>.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        if (span.TotalSeconds < 1) return $"{span.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";
        if (span.TotalMinutes < 1) return $"{span.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s";
        if (span.TotalHours < 1) return string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes}m {span.Seconds:00}s");
        return string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h {span.Minutes:00}m");
    }
}
