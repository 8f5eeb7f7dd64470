using System.Globalization;

namespace Baton.Reports;

/// <summary>
/// Turns journal keys into the paths reports and progress show: step ids and child names joined by <c>/</c>, without
/// the sequence numbers, and <c>#N</c> for the N-th visit (N ≥ 2) of one step id in one scope
/// (<c>6:states/3:analyze</c> → <c>states/analyze#2</c>). Keys are observed first, so a visit is counted among the
/// keys seen in its scope; within one scope steps run one after another, so every earlier visit is known.
/// </summary>
/// <remarks>The key grammar itself belongs to <see cref="StepKey"/>; this adds the visit numbering reports show.</remarks>
public sealed class ReportPath
{
    // Scope (the raw key prefix before a step segment) → step id → the sequence numbers seen, ascending.
    private readonly Dictionary<string, Dictionary<string, SortedSet<int>>> _visits = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Records a key (and every step key it is nested in) so visit numbers count it.</summary>
    /// <exception cref="FormatException">The key does not follow the grammar.</exception>
    public void Observe(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        lock (_lock)
        {
            foreach (var (scope, (_, sequence, id)) in StepKey.Parse(key).WithScopes())
            {
                if (!_visits.TryGetValue(scope, out var ids)) _visits[scope] = ids = new(StringComparer.Ordinal);
                if (!ids.TryGetValue(id, out var seen)) ids[id] = seen = [];
                seen.Add(sequence);
            }
        }
    }

    /// <summary>The path of a key (observed now if it was not), e.g. <c>parallel/first/a</c> or <c>states/analyze#3</c>.</summary>
    public string PathOf(string key)
    {
        Observe(key);
        var parts = new List<string>();
        lock (_lock)
        {
            foreach (var (scope, segment) in StepKey.Parse(key).WithScopes())
            {
                if (segment.Child is { } child) parts.Add(child);
                var visit = _visits[scope][segment.StepId].GetViewBetween(int.MinValue, segment.Sequence).Count;
                parts.Add(visit >= 2 ? string.Concat(segment.StepId, "#", visit.ToString(CultureInfo.InvariantCulture)) : segment.StepId);
            }
        }

        return string.Join('/', parts);
    }

    /// <summary>
    /// The step key a question or timer key belongs to: a step's N-th question or timer is keyed <c>KEY#N</c>
    /// (<c>3:ask#2</c> → <c>3:ask</c>); a step key is returned as it is.
    /// </summary>
    public static string StepKeyOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var hash = key.LastIndexOf('#');
        return hash > key.LastIndexOf('/') ? key[..hash] : key;
    }

    /// <summary>The key of the step a key is nested in (<c>2:parallel/first/1:a</c> → <c>2:parallel</c>), or null at the top.</summary>
    public static string? ParentKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return StepKey.Parse(key).Parent?.Value;
    }

    /// <summary>The keys of every step a key is nested in, outermost first.</summary>
    public static IReadOnlyList<string> AncestorKeys(string key)
    {
        var ancestors = new List<string>();
        for (var parent = ParentKey(key); parent is not null; parent = ParentKey(parent)) ancestors.Insert(0, parent);
        return ancestors;
    }

    /// <summary>The step id a key ends with (<c>4:route/try1/1:a</c> → <c>a</c>).</summary>
    /// <exception cref="FormatException">The key does not end with a step.</exception>
    public static string StepIdOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return StepKey.Parse(key).StepId;
    }

    /// <summary>
    /// The segments of a key: a step as <c>(sequence, id, null)</c>, a child name as <c>(0, null, name)</c>. Used to
    /// order steps that started at the same moment by their place in the run.
    /// </summary>
    public static IReadOnlyList<(int Sequence, string? StepId, string? Child)> Segments(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var segments = new List<(int, string?, string?)>();
        foreach (var segment in StepKey.Parse(key).Segments)
        {
            if (segment.Child is { } child) segments.Add((0, null, child));
            segments.Add((segment.Sequence, segment.StepId, null));
        }

        return segments;
    }

    /// <summary>Compares two keys by their place in the run: an enclosing step first, then scope by scope.</summary>
    public static int CompareByPlace(string a, string b)
    {
        var left = Segments(a);
        var right = Segments(b);
        for (var i = 0; i < Math.Min(left.Count, right.Count); i++)
        {
            var (ls, lid, lchild) = left[i];
            var (rs, rid, rchild) = right[i];
            int order;
            if (lid is not null && rid is not null) order = ls != rs ? ls.CompareTo(rs) : string.CompareOrdinal(lid, rid);
            else if (lid is not null) order = -1;
            else if (rid is not null) order = 1;
            else order = int.TryParse(lchild, NumberStyles.None, CultureInfo.InvariantCulture, out var ln) && int.TryParse(rchild, NumberStyles.None, CultureInfo.InvariantCulture, out var rn)
                ? ln.CompareTo(rn) : string.CompareOrdinal(lchild, rchild);
            if (order != 0) return order;
        }

        return left.Count.CompareTo(right.Count);
    }
}
