using System.Text.Json.Nodes;

namespace Baton.Server.Events;

/// <summary>What the feed of every run (<c>GET /api/events</c>) tells of an event: enough to keep a list of runs current.</summary>
internal static class RunFeed
{
    private static readonly HashSet<string> Told = new(StringComparer.Ordinal)
    {
        "runStarted", "stepCompleted", "stepFailed", "stepWaiting", "runWaiting", "runInterrupted", "runEnded",
    };

    /// <summary><c>{ type, runId, path, time }</c> and the event's <c>workflow</c>, <c>status</c> and <c>usage</c> when it has them; null for an event the feed leaves out.</summary>
    public static JsonObject? Summary(JsonObject shown)
    {
        var type = shown["type"]?.GetValue<string>();
        if (type is null || !Told.Contains(type)) return null;
        var summary = new JsonObject();
        foreach (var name in (string[])["type", "runId", "path", "time", "workflow", "status", "usage"])
        {
            if (shown.TryGetPropertyValue(name, out var value)) summary[name] = value?.DeepClone();
        }

        return summary;
    }
}
