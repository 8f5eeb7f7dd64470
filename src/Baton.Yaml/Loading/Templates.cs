using System.Text.RegularExpressions;
using Baton.AI;

namespace Baton.Yaml.Loading;

/// <summary>Checks Liquid templates when a file loads, so a broken one is reported with its position inside the template.</summary>
internal static partial class Templates
{
    [GeneratedRegex(@"\((\d+):(\d+)\)", RegexOptions.CultureInvariant)]
    private static partial Regex Position();

    public static bool TryParse(string source, out string? error, out int line, out int column)
    {
        (line, column) = (1, 1);
        if (PromptTemplate.TryParse(source, out _, out error)) return true;
        // Fluid puts the position in the message as "(line:column)".
        if (Position().Match(error ?? "") is { Success: true } match)
        {
            line = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            column = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        return false;
    }
}
