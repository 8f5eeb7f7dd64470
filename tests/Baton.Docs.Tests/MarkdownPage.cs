using System.Text.RegularExpressions;

namespace Baton.Docs.Tests;

/// <summary>A Markdown page's fenced code blocks and its page-wide snippet settings.</summary>
internal sealed partial class MarkdownPage
{
    private MarkdownPage(string file, IReadOnlyList<CodeBlock> blocks, IReadOnlyList<string> usings)
    {
        File = file;
        Blocks = blocks;
        Usings = usings;
    }

    /// <summary>The page, relative to the repository root.</summary>
    public string File { get; }

    /// <summary>Every fenced block, in page order.</summary>
    public IReadOnlyList<CodeBlock> Blocks { get; }

    /// <summary>The namespaces of the page's <c>&lt;!-- snippet-usings: A, B --&gt;</c> comments, for its fragments.</summary>
    public IReadOnlyList<string> Usings { get; }

    /// <summary>Reads a page of the repository.</summary>
    public static MarkdownPage Read(string file)
    {
        var lines = System.IO.File.ReadAllLines(Path.Combine(Repository.Root, file));
        var blocks = new List<CodeBlock>();
        var usings = new List<string>();
        string? marker = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var usingsMatch = UsingsComment().Match(line);
            if (usingsMatch.Success)
            {
                usings.AddRange(usingsMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                continue;
            }

            var markerMatch = MarkerComment().Match(line);
            if (markerMatch.Success)
            {
                marker = markerMatch.Groups[1].Value.Trim();
                continue;
            }

            var fence = Fence().Match(line);
            if (!fence.Success)
            {
                // A marker belongs to the fence right below it (blank lines allowed), not to a later one.
                if (line.Trim().Length > 0) marker = null;
                continue;
            }

            var start = i + 1;
            var end = start;
            while (end < lines.Length && !lines[end].TrimStart().StartsWith(fence.Groups[1].Value, StringComparison.Ordinal)) end++;
            var indent = fence.Groups[0].Value.Length - fence.Groups[0].Value.TrimStart().Length;
            var code = string.Join('\n', lines[start..end].Select(l => l.Length >= indent && string.IsNullOrWhiteSpace(l[..indent]) ? l[indent..] : l.TrimStart()));
            blocks.Add(new CodeBlock(file, start + 1, fence.Groups[2].Value.Trim(), code, marker));
            marker = null;
            i = end;
        }

        return new MarkdownPage(file, blocks, usings);
    }

    [GeneratedRegex(@"^\s*<!--\s*snippet-usings:(.*?)-->\s*$")]
    private static partial Regex UsingsComment();

    [GeneratedRegex(@"^\s*<!--\s*((?:snippet|run|invalid):.*?)-->\s*$")]
    private static partial Regex MarkerComment();

    [GeneratedRegex(@"^\s*(```+|~~~+)\s*([\w#+-]*)")]
    private static partial Regex Fence();
}
