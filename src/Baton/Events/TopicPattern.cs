namespace Baton;

/// <summary>
/// Topics are dot-separated names (<c>email.received</c>); subscription patterns match them:
/// an exact name, <c>*</c> alone for every topic, a <c>*</c> segment for any one segment
/// (<c>email.*.urgent</c>), and a trailing <c>*</c> for one or more segments (<c>email.*</c>
/// matches <c>email.received</c> and <c>email.received.urgent</c>, not <c>email</c>).
/// Matching is ordinal and case-sensitive.
/// </summary>
public static class TopicPattern
{
    /// <summary>True when <paramref name="topic"/> matches <paramref name="pattern"/>.</summary>
    public static bool Matches(string pattern, string topic)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(topic);
        if (pattern == "*") return topic.Length > 0;
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
            if (pSegment is "*" && tSegment.Length == 0) return false;
            if (pEnd < 0 || tEnd < 0) return pEnd < 0 && tEnd < 0;
            p = p[(pEnd + 1)..];
            t = t[(tEnd + 1)..];
        }
    }

    /// <summary>Checks a subscription pattern is well formed; throws <see cref="ArgumentException"/> when not.</summary>
    public static void Validate(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (string.IsNullOrWhiteSpace(pattern)) throw new ArgumentException("a topic pattern cannot be empty", nameof(pattern));
        foreach (var segment in pattern.Split('.'))
        {
            if (segment.Length == 0) throw new ArgumentException($"topic pattern '{pattern}' has an empty segment", nameof(pattern));
            if (segment.Contains('*', StringComparison.Ordinal) && segment != "*")
            {
                throw new ArgumentException($"topic pattern '{pattern}': '*' must stand alone in its segment", nameof(pattern));
            }
        }
    }

    /// <summary>Checks a topic an event is published on is well formed (no empty segment, no wildcard); throws <see cref="ArgumentException"/> when not.</summary>
    public static void ValidateTopic(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (string.IsNullOrWhiteSpace(topic)) throw new ArgumentException("a topic cannot be empty", nameof(topic));
        foreach (var segment in topic.Split('.'))
        {
            if (segment.Length == 0) throw new ArgumentException($"topic '{topic}' has an empty segment", nameof(topic));
            if (segment.Contains('*', StringComparison.Ordinal))
            {
                throw new ArgumentException($"topic '{topic}' contains '*': wildcards are for subscriptions, events are published on one exact topic", nameof(topic));
            }
        }
    }
}
