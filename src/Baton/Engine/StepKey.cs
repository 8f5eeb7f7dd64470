using System.Globalization;

namespace Baton;

/// <summary>
/// A step's key in its run's journal: where the step ran, unique in the run and the same in every execution of it.
/// The grammar: <c>SEQ:ID</c> for a step of the run's workflow (the <c>SEQ</c>-th step its walk took, step
/// <c>ID</c>), and for a step nested under a composite step, the composite's key, a slash, the child's name and a
/// slash when the composite has several children (branches, items, nodes, tries), then the nested step's
/// <c>SEQ:ID</c>: <c>1:fan/first/1:write</c>, <c>2:review/1:draft</c>. This type owns that grammar and the one
/// rule for the names that go into it (<see cref="CheckName"/>).
/// </summary>
public readonly record struct StepKey
{
    /// <summary>The characters a step id, branch, node or voter name may not contain: the key grammar's separators.</summary>
    public const string ForbiddenCharacters = "/:#$";

    private StepKey(string value, IReadOnlyList<StepKeySegment> segments)
    {
        Value = value;
        Segments = segments;
    }

    /// <summary>The key as the journal stores it.</summary>
    public string Value { get; }

    /// <summary>The steps from the run's workflow down to this one, outermost first.</summary>
    public IReadOnlyList<StepKeySegment> Segments { get; }

    /// <summary>The step's id (the last segment's).</summary>
    public string StepId => Segments[^1].StepId;

    /// <summary>The key of the composite step this one is nested under, or null for a step of the run's workflow.</summary>
    public StepKey? Parent => Segments.Count == 1 ? null : new StepKey(Format(Segments.Take(Segments.Count - 1)), Segments.Take(Segments.Count - 1).ToArray());

    /// <summary>Each step on the way to this one with the scope it ran in: the key prefix its walk's keys share (empty at the top).</summary>
    public IEnumerable<(string Scope, StepKeySegment Segment)> WithScopes()
    {
        var prefix = "";
        foreach (var segment in Segments)
        {
            var scope = segment.Child is { } child ? string.Concat(prefix, child, "/") : prefix;
            yield return (scope, segment);
            prefix = string.Concat(scope, segment.Sequence.ToString(CultureInfo.InvariantCulture), ":", segment.StepId, "/");
        }
    }

    /// <summary>Reads a journal key.</summary>
    /// <exception cref="FormatException">It does not follow the grammar.</exception>
    public static StepKey Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return TryParse(key, out var parsed) ? parsed : throw new FormatException($"'{key}' is not a step key (SEQ:ID, then /CHILD/SEQ:ID or /SEQ:ID for nested steps)");
    }

    /// <summary>Reads a journal key; false when it does not follow the grammar.</summary>
    public static bool TryParse(string? key, out StepKey parsed)
    {
        parsed = default;
        if (string.IsNullOrEmpty(key)) return false;
        var parts = key.Split('/');
        var segments = new List<StepKeySegment>();
        string? child = null;
        foreach (var part in parts)
        {
            var colon = part.IndexOf(':');
            if (colon < 0)
            {
                // A child name: it must be followed by a step, and two names never follow each other.
                if (child is not null || segments.Count == 0 || NameProblem(part) is not null) return false;
                child = part;
                continue;
            }

            if (!int.TryParse(part.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) || sequence < 1) return false;
            var id = part[(colon + 1)..];
            if (NameProblem(id) is not null) return false;
            segments.Add(new StepKeySegment(child, sequence, id));
            child = null;
        }

        if (child is not null || segments.Count == 0) return false;
        parsed = new StepKey(key, segments);
        return true;
    }

    /// <summary>The problem with a name that goes into keys (a step id, a branch, node or voter name), or null when it is fine.</summary>
    public static string? NameProblem(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "it is empty";
        if (name.AsSpan().IndexOfAny(ForbiddenCharacters) >= 0) return $"it contains one of {string.Join(" ", ForbiddenCharacters.Select(c => $"'{c}'"))}";
        foreach (var c in name)
        {
            if (char.IsControl(c)) return "it contains a control character";
        }

        return null;
    }

    /// <summary>Refuses a name that cannot go into keys: one rule for step ids and branch, node and voter names.</summary>
    /// <param name="name">The name.</param>
    /// <param name="what">What it names, for the message ("step id", "branch name").</param>
    /// <param name="parameter">The argument that carried it.</param>
    /// <exception cref="ArgumentException">The name is empty, or contains a separator or a control character.</exception>
    public static void CheckName(string? name, string what, string parameter)
    {
        if (NameProblem(name) is { } problem) throw new ArgumentException($"{what} '{name}' cannot name a step: {problem}", parameter);
    }

    /// <summary>The key of the step a scope's walk takes at <paramref name="sequence"/> (its number, as text).</summary>
    internal static string Of(string scope, string sequence, string stepId) => string.Concat(scope, sequence, ":", stepId);

    /// <summary>The position of a scope's step at <paramref name="sequence"/>: its key without the step id (how replay finds it).</summary>
    internal static string Position(string scope, string sequence) => string.Concat(scope, sequence);

    /// <summary>The position part of a key (without the step id).</summary>
    internal static string PositionOf(string key) => key[..key.LastIndexOf(':')];

    /// <summary>The scope of a composite step's child named <paramref name="child"/>: the prefix of its steps' keys.</summary>
    internal static string ChildScope(string key, string child) => string.Concat(key, "/", child, "/");

    /// <summary>The scope of a composite step's only child (a nested workflow): the prefix of its steps' keys.</summary>
    internal static string NestedScope(string key) => key + "/";

    /// <summary>True when <paramref name="key"/> is nested (at any depth) under the step keyed <paramref name="ancestor"/>.</summary>
    internal static bool IsUnder(string key, string ancestor) =>
        key.Length > ancestor.Length + 1 && key[ancestor.Length] == '/' && key.StartsWith(ancestor, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override string ToString() => Value;

    private static string Format(IEnumerable<StepKeySegment> segments)
    {
        var text = new System.Text.StringBuilder();
        foreach (var segment in segments)
        {
            if (text.Length > 0) text.Append('/');
            if (segment.Child is { } child) text.Append(child).Append('/');
            text.Append(segment.Sequence.ToString(CultureInfo.InvariantCulture)).Append(':').Append(segment.StepId);
        }

        return text.ToString();
    }
}

/// <summary>One step on the way to a step: the child name it ran under (null for a nested workflow or the run's own), its sequence in that scope's walk and its id.</summary>
/// <param name="Child">The branch, item, node or try it ran under; null when its composite has one child, or at the top.</param>
/// <param name="Sequence">Its place in its scope's walk, from 1.</param>
/// <param name="StepId">The step's id.</param>
public readonly record struct StepKeySegment(string? Child, int Sequence, string StepId);
