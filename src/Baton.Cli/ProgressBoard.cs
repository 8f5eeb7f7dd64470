using System.Globalization;
using Baton.Reports;

namespace Baton.Cli;

/// <summary>
/// What the progress display knows of a run's steps, from its events: one row per step activation (nested ones under
/// their parent), its status, attempt, time, tokens, and a note (the last error or retry reason, or that its output
/// came from an <c>onError</c> fallback).
/// </summary>
internal sealed class ProgressBoard
{
    private readonly ReportPath _paths = new();
    private readonly Dictionary<string, Row> _rows = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    // The step that failed last in each scope (its key prefix): a later step of that scope is its onError fallback.
    private readonly Dictionary<string, string> _failedInScope = new(StringComparer.Ordinal);

    /// <summary>One step activation.</summary>
    public sealed class Row(string key, string path, string? parentKey, int depth)
    {
        public string Key { get; } = key;

        public string Path { get; } = path;

        public string? ParentKey { get; } = parentKey;

        public int Depth { get; } = depth;

        public string Status { get; set; } = "running";

        public int Attempt { get; set; } = 1;

        public DateTimeOffset? StartedAt { get; set; }

        public DateTimeOffset? EndedAt { get; set; }

        public long Tokens { get; set; }

        public string? Note { get; set; }

        public string? FallbackFor { get; set; }

        /// <summary>The row's name under its parent: the path after the parent's (<c>parallel/first/a</c> under <c>parallel</c> → <c>first/a</c>).</summary>
        public string Name(string? parentPath) => parentPath is not null && Path.StartsWith(parentPath + "/", StringComparison.Ordinal) ? Path[(parentPath.Length + 1)..] : Path;
    }

    /// <summary>Applies an event; returns the line plain progress prints for it, or null.</summary>
    public string? Apply(RunEvent e)
    {
        switch (e)
        {
            case StepStartedEvent s when !IsHidden(s.Key):
            {
                var row = RowFor(s.Key);
                row.Status = "running";
                row.Attempt = s.Attempt;
                row.StartedAt ??= s.Timestamp;
                row.EndedAt = null;
                // The next step to start in a failed step's scope is its error route (the run would have ended otherwise);
                // the failed step starting again is a retry of what encloses it, not a fallback.
                if (_failedInScope.Remove(Scope(s.Key), out var failed) && failed != s.Key && row.FallbackFor is null)
                {
                    row.FallbackFor = _paths.PathOf(failed);
                    row.Note = $"onError fallback for {row.FallbackFor}";
                }

                return $"  {row.Path}: started{(s.Attempt > 1 ? $" (attempt {s.Attempt})" : "")}{(row.FallbackFor is { } f && s.Attempt == 1 ? $" (onError fallback for {f})" : "")}";
            }

            case StepRetryingEvent r when !IsHidden(r.Key):
            {
                var row = RowFor(r.Key);
                row.Status = "retrying";
                row.Note = $"attempt {r.Attempt} failed: {r.Error.Message}";
                return $"  {row.Path}: attempt {r.Attempt} failed ({r.Error.Message}); retrying in {r.Delay.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture)}s";
            }

            case StepCompletedEvent c when !IsHidden(c.Key):
            {
                var row = RowFor(c.Key);
                row.Status = c.Replayed ? "replayed" : "done";
                row.Attempt = Math.Max(c.Attempts, 1);
                row.EndedAt = c.Timestamp;
                row.StartedAt ??= c.Timestamp - c.Duration;
                // A nested step's tokens count towards every step it runs in, too.
                for (var key = c.Key; key is not null; key = ReportPath.ParentKey(key))
                {
                    if (_rows.TryGetValue(key, out var counted)) counted.Tokens += c.Usage.TotalTokens;
                }

                if (row.FallbackFor is { } fallbackFor) row.Note = $"output from the onError fallback for {fallbackFor}";
                var done = c.Replayed ? "done before (replayed)" : $"completed in {c.Duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";
                return $"  {row.Path}: {done}{(c.Usage.TotalTokens > 0 ? $", {c.Usage.TotalTokens} tokens" : "")}{(row.FallbackFor is { } fb ? $" (output from the onError fallback for {fb})" : "")}";
            }

            case StepFailedEvent f when !IsHidden(f.Key):
            {
                var row = RowFor(f.Key);
                row.Status = "failed";
                row.Attempt = Math.Max(f.Attempts, 1);
                row.EndedAt = f.Timestamp;
                row.Note = f.Error.Message;
                _failedInScope[Scope(f.Key)] = f.Key;
                return $"  {row.Path}: failed after {f.Attempts} attempt(s): {f.Error.Message}";
            }

            case StepWaitingForHumanEvent w:
            {
                var key = ReportPath.StepKeyOf(w.Key);
                if (IsHidden(key)) return null;
                var row = RowFor(key);
                row.Status = "waiting";
                row.Note = w.Request.Prompt;
                return $"  {row.Path}: waiting for a person: {w.Request.Prompt}";
            }

            default:
                return null;
        }
    }

    /// <summary>The rows in tree order: each step after its parent, siblings in the order they started.</summary>
    public IReadOnlyList<Row> Rows()
    {
        var children = new Dictionary<string, List<Row>>(StringComparer.Ordinal);
        var roots = new List<Row>();
        foreach (var key in _order)
        {
            var row = _rows[key];
            if (row.ParentKey is { } parent && _rows.ContainsKey(parent))
            {
                if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
                list.Add(row);
            }
            else
            {
                roots.Add(row);
            }
        }

        var ordered = new List<Row>(_rows.Count);
        void Visit(Row row)
        {
            ordered.Add(row);
            foreach (var child in children.GetValueOrDefault(row.Key) ?? []) Visit(child);
        }

        foreach (var root in roots) Visit(root);
        return ordered;
    }

    /// <summary>The path of a row's parent, for naming it under its parent.</summary>
    public string? ParentPath(Row row) => row.ParentKey is { } parent && _rows.TryGetValue(parent, out var p) ? p.Path : null;

    private Row RowFor(string key)
    {
        if (_rows.TryGetValue(key, out var row)) return row;
        // Parents first, so a nested step always shows under its parent (a composite in flight, or replayed).
        var parentKey = ReportPath.ParentKey(key);
        if (parentKey is not null && !IsHidden(parentKey)) RowFor(parentKey);
        else parentKey = null;
        row = new Row(key, _paths.PathOf(key), parentKey, parentKey is null ? 0 : _rows[parentKey].Depth + 1);
        _rows[key] = row;
        _order.Add(key);
        return row;
    }

    /// <summary>The scope a key's step runs in: the key before its last segment.</summary>
    private static string Scope(string key) => key[..(key.LastIndexOf('/') + 1)];

    /// <summary>The step that stores a file's inputs is the engine's, not the user's: not shown.</summary>
    private static bool IsHidden(string key) => key == RunReport.InputsKey || key.StartsWith(RunReport.InputsKey + "/", StringComparison.Ordinal);
}
