namespace Baton.Yaml.Loading;

/// <summary>"did you mean" tails for messages about misspelled keys and names.</summary>
internal static class DidYouMean
{
    /// <summary><c>; did you mean 'x'?</c>, or nothing when no known name is close.</summary>
    public static string For(string word, IEnumerable<string> candidates) =>
        Baton.Suggestions.Closest(word, candidates) is { } near ? $"; did you mean '{near}'?" : "";
}
