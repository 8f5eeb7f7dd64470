using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Baton.Storage;

namespace Baton.Cli;

/// <summary>
/// A run as <c>--json</c> prints it: <c>{runId, status, output, steps, usage, children, error}</c>, each step
/// <c>{id, agent, status, attempts, startedAt, endedAt, output, error}</c>, read from the run's journal.
/// </summary>
internal static class RunReport
{
    /// <summary>The id of the step that stores a file's inputs: journaled, but not one of the file's steps.</summary>
    private const string InputsStep = "inputs";

    public static async Task<JsonObject> BuildAsync(IRunStore store, string runId, Workflow? workflow, CancellationToken cancellationToken, int depth = 0)
    {
        var run = await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw new UsageException($"there is no run '{runId}' in the store");
        var journal = await store.ReadJournalAsync(runId, 0, cancellationToken).ConfigureAwait(false);
        var agents = workflow?.Steps.ToDictionary(s => s.Id, s => s.AgentName, StringComparer.Ordinal) ?? [];
        var steps = new JsonArray();
        var usage = Usage.None;
        JsonNode? output = null;
        JsonNode? error = null;
        foreach (var entry in journal)
        {
            usage += entry.Usage;
            switch (entry.Kind)
            {
                case JournalEntryKind.StepCompleted or JournalEntryKind.StepFailed when entry.Key is { } key && !key.Contains('/', StringComparison.Ordinal) && entry.StepId != InputsStep:
                    steps.Add(new JsonObject
                    {
                        ["id"] = entry.StepId,
                        ["agent"] = agents.GetValueOrDefault(entry.StepId!),
                        ["status"] = entry.Kind == JournalEntryKind.StepCompleted ? "succeeded" : "failed",
                        ["attempts"] = entry.Attempts,
                        ["startedAt"] = Time(entry.StartedAt),
                        ["endedAt"] = Time(entry.Timestamp),
                        ["output"] = Value(entry.Payload),
                        ["error"] = Error(entry.Error),
                    });
                    break;
                case JournalEntryKind.RunSucceeded:
                    output = Value(entry.Payload);
                    break;
                case JournalEntryKind.RunFailed or JournalEntryKind.RunCancelled:
                    error = Error(entry.Error);
                    break;
            }
        }

        foreach (var request in await store.ListHumanRequestsAsync(runId, openOnly: true, cancellationToken).ConfigureAwait(false))
        {
            var stepId = request.StepKey.Contains('/', StringComparison.Ordinal) ? request.StepKey : request.StepKey[(request.StepKey.IndexOf(':') + 1)..];
            steps.Add(new JsonObject
            {
                ["id"] = stepId.Split('#')[0],
                ["agent"] = null,
                ["status"] = "waiting",
                ["attempts"] = 1,
                ["startedAt"] = Time(request.CreatedAt),
                ["endedAt"] = null,
                ["output"] = null,
                ["error"] = null,
                ["question"] = request.Prompt,
            });
        }

        var children = new JsonArray();
        if (depth < 3)
        {
            foreach (var child in (await store.ListRunsAsync(new RunQuery { ParentRunId = runId }, cancellationToken).ConfigureAwait(false)).Reverse())
            {
                children.Add(await BuildAsync(store, child.RunId, null, cancellationToken, depth + 1).ConfigureAwait(false));
            }
        }

        return new JsonObject
        {
            ["runId"] = run.RunId,
            ["status"] = run.Status.ToString().ToLowerInvariant(),
            ["output"] = output,
            ["steps"] = steps,
            ["usage"] = new JsonObject { ["inputTokens"] = usage.InputTokens, ["outputTokens"] = usage.OutputTokens, ["cost"] = usage.Cost },
            ["children"] = children,
            ["error"] = error,
        };
    }

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <summary>A payload as a JSON value: text as a string, JSON as itself.</summary>
    public static JsonNode? Value(Payload? payload) => payload is null || payload.IsEmpty ? null
        : payload.Kind == PayloadKind.Text ? JsonValue.Create(payload.AsText()) : JsonNode.Parse(payload.ToString());

    private static JsonObject? Error(StepError? error) => error is null ? null : new JsonObject
    {
        ["message"] = error.Message,
        ["kind"] = error.Kind.ToString().ToLowerInvariant(),
        ["step"] = error.StepId,
        ["code"] = error.Code,
    };

    public static string Print(JsonObject report) => report.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
