namespace Baton;

/// <summary>
/// Matches topics against subscription patterns: an exact name (<c>email.received</c>),
/// <c>*</c> for every topic, a <c>*</c> segment for any one segment (<c>email.*.urgent</c>),
/// and a trailing <c>*</c> for one or more segments (<c>email.*</c>).
/// </summary>
public static class TopicPattern
{
    /// <summary>True when <paramref name="topic"/> matches <paramref name="pattern"/>.</summary>
    public static bool Matches(string pattern, string topic)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(topic);
        if (pattern == "*") return true;
        var p = pattern.AsSpan();
        var t = topic.AsSpan();
        while (true)
        {
            var pEnd = p.IndexOf('.');
            var pSegment = pEnd < 0 ? p : p[..pEnd];
            var tEnd = t.IndexOf('.');
            var tSegment = tEnd < 0 ? t : t[..tEnd];
            if (pSegment is "*" && pEnd < 0) return t.Length > 0;
            if (pSegment is not "*" && !pSegment.SequenceEqual(tSegment)) return false;
            if (pEnd < 0 || tEnd < 0) return pEnd < 0 && tEnd < 0;
            p = p[(pEnd + 1)..];
            t = t[(tEnd + 1)..];
        }
    }

    /// <summary>Checks a pattern is well formed; throws <see cref="ArgumentException"/> when not.</summary>
    public static void Validate(string pattern)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        foreach (var segment in pattern.Split('.'))
        {
            if (segment.Length == 0) throw new ArgumentException($"topic pattern '{pattern}' has an empty segment", nameof(pattern));
            if (segment.Contains('*', StringComparison.Ordinal) && segment != "*")
            {
                throw new ArgumentException($"topic pattern '{pattern}': '*' must stand alone in its segment", nameof(pattern));
            }
        }
    }
}
