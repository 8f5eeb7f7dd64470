using System.Globalization;
using System.Text.RegularExpressions;

namespace Baton.Yaml.Loading;

/// <summary>Durations as workflow files write them: <c>250ms</c>, <c>2s</c>, <c>5m</c>, <c>24h</c>, <c>7d</c>.</summary>
internal static partial class Durations
{
    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s|m|h|d)$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var match = Pattern().Match(text.Trim());
        if (!match.Success) return false;
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        duration = match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(value),
            "s" => TimeSpan.FromSeconds(value),
            "m" => TimeSpan.FromMinutes(value),
            "h" => TimeSpan.FromHours(value),
            _ => TimeSpan.FromDays(value),
        };
        return duration < TimeSpan.FromDays(3650);
    }
}
