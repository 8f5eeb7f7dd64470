using System.Text.Json.Nodes;

namespace Baton.Reports;

/// <summary>One step of a <see cref="RunReport"/>: one activation (a branch, an item, a visit of a state...).</summary>
public sealed record RunReportStep
{
    /// <summary>The step's id in its workflow.</summary>
    public required string Id { get; init; }

    /// <summary>Unique in the run: step ids and child names joined by <c>/</c>, <c>#N</c> for the N-th visit (see <see cref="ReportPath"/>).</summary>
    public required string Path { get; init; }

    /// <summary>The enclosing step's path, or null at the top.</summary>
    public string? Parent { get; init; }

    /// <summary>The journal key the step ran under.</summary>
    public required string Key { get; init; }

    /// <summary>The agent the step calls, when the workflow is known and the step calls one.</summary>
    public string? Agent { get; init; }

    /// <summary><c>running</c>, <c>waiting</c>, <c>succeeded</c>, <c>failed</c>, <c>cancelled</c> or <c>skipped</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Attempts the step took (0 while it has not finished one).</summary>
    public int Attempts { get; init; }

    /// <summary>When its first attempt started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When it finished, once it did.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Its output, once it succeeded.</summary>
    public Payload? Output { get; init; }

    /// <summary>Why it failed.</summary>
    public StepError? Error { get; init; }

    /// <summary>Tokens and cost the step spent.</summary>
    public Usage Usage { get; init; }

    /// <summary>The question a waiting step asks.</summary>
    public string? Question { get; init; }

    /// <summary>The step as the report's JSON writes it.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["id"] = Id,
            ["path"] = Path,
            ["parent"] = Parent,
            ["agent"] = Agent,
            ["status"] = Status,
            ["attempts"] = Attempts,
            ["startedAt"] = RunReport.Time(StartedAt),
            ["endedAt"] = EndedAt is { } ended ? RunReport.Time(ended) : null,
            ["output"] = RunReport.Value(Output),
            ["error"] = RunReport.ErrorJson(Error),
            ["usage"] = RunReport.UsageJson(Usage),
        };
        if (Status == "waiting") json["question"] = Question;
        return json;
    }
}
