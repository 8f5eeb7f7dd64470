namespace Baton;

/// <summary>"Did you mean" for a misspelled name: the closest known name within a typo's distance.</summary>
public static class Suggestions
{
    /// <summary>
    /// The known name closest to <paramref name="name"/> (ignoring case; a swap of two neighbours is one edit), when it
    /// is close enough to be a typo: at most two edits or a third of the name (never more than three), and never the whole of it.
    /// </summary>
    public static string? Closest(string name, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(known);
        var limit = Math.Min(3, Math.Max(2, name.Length / 3));
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(name, candidate);
            if (distance <= limit && distance < Math.Min(name.Length, candidate.Length) && distance < bestDistance) (best, bestDistance) = (candidate, distance);
        }

        return best;
    }

    /// <summary>The optimal string alignment distance, ignoring case.</summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 2]) && char.ToLowerInvariant(a[i - 2]) == char.ToLowerInvariant(b[j - 1]))
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
