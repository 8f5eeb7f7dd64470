namespace Baton.AI;

/// <summary>
/// A scan of a template's nesting before Fluid parses it: Fluid's parser recurses once per nested block or bracket,
/// so fifty thousand nested <c>{% if %}</c> (well within a 1 MiB file) would overflow the stack and end the process,
/// which no exception handler can catch.
/// </summary>
internal static class TemplateNesting
{
    private static readonly HashSet<string> Blocks = new(StringComparer.Ordinal) { "if", "unless", "for", "case", "capture", "tablerow", "ifchanged" };

    /// <summary>Why the template nests too deeply, or null when it does not.</summary>
    public static string? Check(string source, int limit)
    {
        var blocks = 0;
        var index = 0;
        while (index < source.Length)
        {
            var open = source.IndexOf('{', index);
            if (open < 0 || open + 1 >= source.Length) break;
            var kind = source[open + 1];
            if (kind is not ('{' or '%'))
            {
                index = open + 1;
                continue;
            }

            var close = source.IndexOf(kind == '{' ? "}}" : "%}", open + 2, StringComparison.Ordinal);
            var end = close < 0 ? source.Length : close;
            if (Brackets(source.AsSpan(open + 2, end - open - 2)) > limit) return $"it nests brackets deeper than {limit}";
            if (kind == '%')
            {
                var name = TagName(source.AsSpan(open + 2, end - open - 2));
                if (name is "raw" or "comment")
                {
                    // Their content is text, not tags: skip to the end tag.
                    var endTag = source.IndexOf("end" + name, end, StringComparison.Ordinal);
                    index = endTag < 0 ? source.Length : endTag;
                    continue;
                }

                if (Blocks.Contains(name) && ++blocks > limit) return $"it nests blocks deeper than {limit}";
                if (name.StartsWith("end", StringComparison.Ordinal) && blocks > 0) blocks--;
            }

            index = close < 0 ? source.Length : close + 2;
        }

        return null;
    }

    private static string TagName(ReadOnlySpan<char> tag)
    {
        tag = tag.TrimStart('-').TrimStart();
        var length = 0;
        while (length < tag.Length && (char.IsLetter(tag[length]) || tag[length] == '_')) length++;
        return tag[..length].ToString();
    }

    private static int Brackets(ReadOnlySpan<char> tag)
    {
        int depth = 0, deepest = 0;
        foreach (var c in tag)
        {
            if (c is '(' or '[') deepest = Math.Max(deepest, ++depth);
            else if (c is ')' or ']') depth = Math.Max(0, depth - 1);
        }

        return deepest;
    }
}
