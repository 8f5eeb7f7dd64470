using System.Globalization;
using System.Text.Json.Nodes;
using Baton.Reports;
using Baton.Storage;

namespace Baton.Cli;

/// <summary><c>baton runs history</c>: every journal entry of a run, numbered, with its step's path, status, output and the state it wrote.</summary>
internal static class HistoryTable
{
    /// <summary>One journal entry as the history shows it.</summary>
    public sealed record Row(long Sequence, string Kind, string? Path, string? Status, JsonNode? Output, JsonObject? State);

    public static IReadOnlyList<Row> From(IReadOnlyList<JournalEntry> journal)
    {
        var paths = new ReportPath();
        foreach (var entry in journal)
        {
            if (StepKey(entry) is { } key) paths.Observe(key);
        }

        return [.. journal.Select(entry => new Row(
            entry.Sequence,
            KindName(entry.Kind),
            StepKey(entry) is { } key ? paths.PathOf(key) : null,
            entry.Kind switch
            {
                JournalEntryKind.StepCompleted or JournalEntryKind.RunSucceeded => "succeeded",
                JournalEntryKind.StepFailed or JournalEntryKind.RunFailed => "failed",
                JournalEntryKind.RunCancelled => "cancelled",
                _ => null,
            },
            Reports.RunReport.Value(entry.Payload),
            // What the entry wrote: a step's writes or an edit; a snapshot restates the state, it writes nothing.
            entry.Kind != JournalEntryKind.StateSnapshot && entry.StateChanges is { Count: > 0 } changes ? Written(changes) : null))];
    }

    /// <summary>
    /// The shared state an entry wrote, by variable: the value written, or every value in order when it was written
    /// more than once (a composite commits its children's writes, joined in child order). Agents' private state is theirs.
    /// </summary>
    private static JsonObject? Written(IReadOnlyList<StateChange> changes)
    {
        var written = new JsonObject();
        foreach (var group in changes.Where(c => c.Agent is null).GroupBy(c => c.Name, StringComparer.Ordinal))
        {
            var values = group.Select(c => Reports.RunReport.Value(c.Value)).ToArray();
            written[group.Key] = values.Length == 1 ? values[0] : new JsonArray(values);
        }

        return written.Count == 0 ? null : written;
    }

    public static JsonArray ToJson(IReadOnlyList<Row> rows) => new([.. rows.Select(r => (JsonNode)new JsonObject
    {
        ["sequence"] = r.Sequence,
        ["kind"] = r.Kind,
        ["path"] = r.Path,
        ["status"] = r.Status,
        ["output"] = r.Output?.DeepClone(),
        ["state"] = r.State?.DeepClone(),
    })]);

    public static void Write(IReadOnlyList<Row> rows, TextWriter writer)
    {
        writer.WriteLine($"{"#",4}  {"kind",-15} {"path",-32} {"status",-10} {"output",-40} state written");
        foreach (var row in rows)
        {
            var number = row.Sequence.ToString(CultureInfo.InvariantCulture);
            writer.WriteLine($"{number,4}  {row.Kind,-15} {row.Path ?? "",-32} {row.Status ?? "",-10} {Short(row.Output),-40} {Short(row.State, 60)}".TrimEnd());
        }
    }

    private static readonly System.Text.Json.JsonSerializerOptions OneLine = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A value on one line, cut to fit its column.</summary>
    private static string Short(JsonNode? value, int width = 40)
    {
        if (value is null) return "";
        var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value.ToJsonString(OneLine);
        text = text.ReplaceLineEndings(" ");
        return text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 1), "…");
    }

    /// <summary>The key of the step an entry is about (a timer's key <c>KEY#N</c> is its step's), or null for the run's own entries.</summary>
    private static string? StepKey(JournalEntry entry)
    {
        if (entry.Key is not { } key) return null;
        key = ReportPath.StepKeyOf(key);
        try
        {
            ReportPath.StepIdOf(key);
            return key;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string KindName(JournalEntryKind kind)
    {
        var name = kind.ToString();
        return string.Concat(name[..1].ToLowerInvariant(), name[1..]);
    }
}
