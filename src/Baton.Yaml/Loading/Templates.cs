using System.Text.RegularExpressions;
using Baton.AI;

namespace Baton.Yaml.Loading;

/// <summary>Checks Liquid templates when a file loads, so a broken one is reported with its position inside the template.</summary>
internal static partial class Templates
{
    [GeneratedRegex(@"\((\d+):(\d+)\)", RegexOptions.CultureInvariant)]
    private static partial Regex Position();

    [GeneratedRegex(@"\{\{.*?\}\}|\{%.*?%\}", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex Tag();

    [GeneratedRegex(@"(?<![\w.])inputs\s*\.\s*([A-Za-z_][A-Za-z0-9_-]*)", RegexOptions.CultureInvariant)]
    private static partial Regex InputReference();

    /// <summary>Every <c>inputs.NAME</c> a template reads inside its <c>{{ }}</c> and <c>{% %}</c> tags, with its 1-based line and column in the template.</summary>
    public static IEnumerable<(string Name, int Line, int Column)> InputReferences(string source)
    {
        foreach (Match tag in Tag().Matches(source))
        {
            foreach (Match reference in InputReference().Matches(tag.Value))
            {
                var index = tag.Index + reference.Index;
                var lineStart = index == 0 ? 0 : source.LastIndexOf('\n', index - 1) + 1;
                var line = 1 + source.AsSpan(0, index).Count('\n');
                yield return (reference.Groups[1].Value, line, index - lineStart + 1);
            }
        }
    }

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
