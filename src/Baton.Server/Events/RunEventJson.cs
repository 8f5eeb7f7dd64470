using System.Text.Json.Nodes;
using Baton.Reports;
using Baton.Storage;

namespace Baton.Server.Events;

/// <summary>
/// A run's events as the event stream sends them: <c>{ type, runId, path, time, ... }</c>, <c>path</c> the step's path in
/// the run report (null for the run's own events). Live events come from <see cref="RunEvent"/>s; a run this server
/// did not watch is told from its journal, in the same shapes.
/// </summary>
internal sealed class RunEventJson
{
    // Steps a workflow file adds that are not the user's (its inputs): kept out of reports, so out of events too.
    private readonly IReadOnlyCollection<string> _hiddenKeys;
    private readonly ReportPath _paths = new();

    public RunEventJson(IReadOnlyCollection<string> hiddenKeys) => _hiddenKeys = hiddenKeys;

    /// <summary>How an event's JSON is written: one line (an SSE <c>data:</c> line), non-ASCII text kept as it is.</summary>
    public static System.Text.Json.JsonSerializerOptions Compact { get; } = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The event's JSON, or null when it is not shown (a hidden step's, a replayed step's).</summary>
    public JsonObject? From(RunEvent e) => e switch
    {
        RunStartedEvent s => Base("runStarted", e, null, P("workflow", s.Workflow), P("resumed", s.Resumed)),
        StepStartedEvent s => Step("stepStarted", e, s.Key, s.Path, s.Parent, P("id", s.StepId), P("agent", s.Agent), P("attempt", s.Attempt)),
        StepRetryingEvent s => Step("stepRetrying", e, s.Key, s.Path, s.Parent, P("id", s.StepId), P("attempt", s.Attempt), P("delayMs", (long)s.Delay.TotalMilliseconds), P("error", RunReport.ErrorJson(s.Error))),
        StepCompletedEvent { Replayed: true } => null,
        StepCompletedEvent s => Step("stepCompleted", e, s.Key, s.Path, s.Parent, P("id", s.StepId), P("attempts", s.Attempts), P("durationMs", (long)s.Duration.TotalMilliseconds), P("output", RunReport.Value(s.Output)), P("usage", RunReport.UsageJson(s.Usage))),
        StepFailedEvent s => Step("stepFailed", e, s.Key, s.Path, s.Parent, P("id", s.StepId), P("attempts", s.Attempts), P("error", RunReport.ErrorJson(s.Error))),
        StepWaitedForResourceEvent s => Step("stepWaitedForResource", e, s.Key, null, null, P("id", s.StepId), P("resource", s.Resource), P("waitedMs", (long)s.Waited.TotalMilliseconds)),
        StepWaitingForHumanEvent s => Step("stepWaiting", e, ReportPath.StepKeyOf(s.Key), null, null, P("requestId", s.Request.Id), P("question", s.Request.Prompt), P("choices", Choices(s.Request))),
        CustomRunEvent s => Step("custom", e, s.Key, null, null, P("name", s.Name), P("data", RunReport.Value(s.Data))),
        StateChangedEvent s => Step("stateChanged", e, s.Key, null, null, P("name", s.Name), P("update", RunReport.Value(s.Update))),
        RunEndedEvent s => Base(s.Status switch { RunStatus.Waiting => "runWaiting", RunStatus.Running => "runInterrupted", _ => "runEnded" }, e, null, P("status", RunReport.StatusName(s.Status)), P("output", RunReport.Value(s.Output)), P("error", RunReport.ErrorJson(s.Error))),
        RunEventsSkippedEvent s => Base("eventsSkipped", e, null, P("count", s.Count)),
        _ => Base(char.ToLowerInvariant(e.GetType().Name[0]) + e.GetType().Name[1..].Replace("Event", "", StringComparison.Ordinal), e, null),
    };

    /// <summary>The events a journal entry stands for (a run this server did not watch), or null when it shows none.</summary>
    public JsonObject? From(string runId, JournalEntry entry, string? workflow) => entry.Kind switch
    {
        JournalEntryKind.RunStarted => Base("runStarted", runId, entry.Timestamp, null, P("workflow", workflow), P("resumed", false)),
        JournalEntryKind.StepCompleted when entry.Key is { } key && !IsHidden(key) => Step("stepCompleted", runId, entry.Timestamp, key, null, null,
            P("id", entry.StepId), P("attempts", entry.Attempts), P("output", RunReport.Value(entry.Payload)), P("usage", RunReport.UsageJson(entry.Usage))),
        JournalEntryKind.StepFailed when entry.Key is { } key && !IsHidden(key) => Step("stepFailed", runId, entry.Timestamp, key, null, null,
            P("id", entry.StepId), P("attempts", entry.Attempts), P("error", RunReport.ErrorJson(entry.Error))),
        JournalEntryKind.RunSucceeded => Base("runEnded", runId, entry.Timestamp, null, P("status", "succeeded"), P("output", RunReport.Value(entry.Payload)), P("error", null)),
        JournalEntryKind.RunFailed => Base("runEnded", runId, entry.Timestamp, null, P("status", "failed"), P("output", null), P("error", RunReport.ErrorJson(entry.Error))),
        JournalEntryKind.RunCancelled => Base("runEnded", runId, entry.Timestamp, null, P("status", "cancelled"), P("output", null), P("error", RunReport.ErrorJson(entry.Error))),
        _ => null,
    };

    /// <summary>An open question of a run this server did not watch.</summary>
    public JsonObject? From(HumanRequest request)
    {
        var key = ReportPath.StepKeyOf(request.StepKey);
        return Step("stepWaiting", request.RunId, request.CreatedAt, key, null, null, P("requestId", request.Id), P("question", request.Prompt), P("choices", Choices(request)));
    }

    private static KeyValuePair<string, JsonNode?> P(string name, JsonNode? value) => KeyValuePair.Create(name, value);

    private static JsonArray? Choices(HumanRequest request) => request.Choices.Count == 0 ? null : new JsonArray([.. request.Choices.Select(c => (JsonNode)JsonValue.Create(c))]);

    private bool IsHidden(string key)
    {
        foreach (var hidden in _hiddenKeys)
        {
            if (key.StartsWith(hidden, StringComparison.Ordinal) && (key.Length == hidden.Length || key[hidden.Length] == '/')) return true;
        }

        return false;
    }

    private JsonObject? Step(string type, RunEvent e, string key, string? path, string? parent, params KeyValuePair<string, JsonNode?>[] members) =>
        Step(type, e.RunId, e.Timestamp, key, path, parent, members);

    private JsonObject? Step(string type, string runId, DateTimeOffset time, string key, string? path, string? parent, params KeyValuePair<string, JsonNode?>[] members)
    {
        if (IsHidden(key)) return null;
        string? derivedParent;
        try
        {
            // Events that carry no path (a wait, a question) get the one the report gives their key.
            var derived = _paths.PathOf(key);
            path ??= derived;
            derivedParent = ReportPath.ParentKey(key) is { } parentKey && !IsHidden(parentKey) ? _paths.PathOf(parentKey) : null;
        }
        catch (FormatException)
        {
            path ??= key;
            derivedParent = null;
        }

        var json = Base(type, runId, time, path);
        json["parent"] = parent ?? derivedParent;
        json["key"] = key;
        foreach (var (name, value) in members) json[name] = value;
        return json;
    }

    private static JsonObject Base(string type, RunEvent e, string? path, params KeyValuePair<string, JsonNode?>[] members) => Base(type, e.RunId, e.Timestamp, path, members);

    private static JsonObject Base(string type, string runId, DateTimeOffset time, string? path, params KeyValuePair<string, JsonNode?>[] members)
    {
        var json = new JsonObject { ["type"] = type, ["runId"] = runId, ["path"] = path, ["time"] = RunReport.Time(time) };
        foreach (var (name, value) in members) json[name] = value;
        return json;
    }
}
