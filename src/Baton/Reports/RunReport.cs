using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Baton.Reports;

/// <summary>
/// One run as its report shows it (WORKFLOW-FORMAT.md, "The run report"): its status, output, every step that
/// started (nested ones included, in the order they started), usage, the runs it started and its error.
/// </summary>
public sealed record RunReport
{
    /// <summary>The run's id.</summary>
    public required string RunId { get; init; }

    /// <summary>The workflow's name.</summary>
    public required string Workflow { get; init; }

    /// <summary>Where the run stands.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>The run's output, once it succeeded.</summary>
    public Payload? Output { get; init; }

    /// <summary>Every step that started, in the order they started.</summary>
    public required IReadOnlyList<RunReportStep> Steps { get; init; }

    /// <summary>Tokens and cost the whole run spent.</summary>
    public Usage Usage { get; init; }

    /// <summary>Reports of the runs this run started (its events' subscribers).</summary>
    public IReadOnlyList<RunReport> Children { get; init; } = [];

    /// <summary>Why the run failed or was cancelled.</summary>
    public StepError? Error { get; init; }

    /// <summary>
    /// The report as the format's JSON object <c>{runId, workflow, status, output, steps, usage, children, error}</c>,
    /// each step <c>{id, path, parent, agent, status, attempts, startedAt, endedAt, output, error, usage}</c> (and
    /// <c>question</c> for a waiting step); times ISO 8601 in UTC.
    /// </summary>
    public JsonObject ToJson() => new()
    {
        ["runId"] = RunId,
        ["workflow"] = Workflow,
        ["status"] = StatusName(Status),
        ["output"] = Value(Output),
        ["steps"] = new JsonArray([.. Steps.Select(s => (JsonNode)s.ToJson())]),
        ["usage"] = UsageJson(Usage),
        ["children"] = new JsonArray([.. Children.Select(c => (JsonNode)c.ToJson())]),
        ["error"] = ErrorJson(Error),
    };

    /// <summary>The report's JSON, indented, as the command prints it.</summary>
    public string ToJsonString() => ToJson().ToJsonString(Indented);

    /// <summary>Options the command and the server print reports with: indented, non-ASCII text kept as it is.</summary>
    public static JsonSerializerOptions Indented { get; } = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A status as reports write it: <c>running</c>, <c>waiting</c>, <c>succeeded</c>, <c>failed</c>, <c>cancelled</c>.</summary>
    public static string StatusName(RunStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>A time as every report writes it: ISO 8601 in UTC, to the millisecond (<c>2026-01-31T09:30:00.125Z</c>).</summary>
    public static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A payload as a JSON value: text as a string, JSON as itself; null when empty.</summary>
    public static JsonNode? Value(Payload? payload) => payload is null || payload.IsEmpty ? null
        : payload.Kind == PayloadKind.Text ? JsonValue.Create(payload.AsText()) : JsonNode.Parse(payload.ToString());

    /// <summary>An error as reports write it: <c>{message, kind, step, code}</c>.</summary>
    public static JsonObject? ErrorJson(StepError? error) => error is null ? null : new JsonObject
    {
        ["message"] = error.Message,
        ["kind"] = error.Kind.ToString().ToLowerInvariant(),
        ["step"] = error.StepId,
        ["code"] = error.Code,
    };

    /// <summary>Usage as reports write it: <c>{inputTokens, outputTokens, cost}</c>.</summary>
    public static JsonObject UsageJson(Usage usage) => new() { ["inputTokens"] = usage.InputTokens, ["outputTokens"] = usage.OutputTokens, ["cost"] = usage.Cost };
}
