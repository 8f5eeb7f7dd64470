using System.Text;
using System.Text.Json.Nodes;

namespace Baton.AI;

/// <summary>
/// A template of plain text and <c>{{ root.name.name }}</c> outputs only (root <c>input</c>, <c>inputs</c> or
/// <c>state</c>; no filters, tags or whitespace control), read and rendered without Fluid. Most prompts have this
/// shape, and loading Fluid and building its parser costs a command about 55 ms of its start-up. A template of any
/// other shape, or a value this does not print the way Fluid does, is left to Fluid, so what renders never changes.
/// </summary>
internal sealed class SimpleTemplate
{
    private static readonly string[] Roots = ["input", "inputs", "state"];

    // Names Liquid gives a meaning of its own after a dot (input.size is a count when there is no "size" member).
    private static readonly string[] LiquidNames = ["size", "first", "last", "empty", "blank"];

    // Each part is a literal text (string) or a path to print (string[]: the root, then property names).
    private readonly object[] _parts;

    private SimpleTemplate(object[] parts) => _parts = parts;

    /// <summary>The template when it has the simple shape, else null (Fluid reads it).</summary>
    public static SimpleTemplate? TryParse(string source)
    {
        var parts = new List<object>();
        var index = 0;
        while (index < source.Length)
        {
            var open = source.IndexOf("{{", index, StringComparison.Ordinal);
            var text = source.AsSpan(index, (open < 0 ? source.Length : open) - index);
            // Delimiters outside an output (a tag, a stray close) are Fluid's to read or refuse.
            if (text.Contains("{%", StringComparison.Ordinal) || text.Contains("%}", StringComparison.Ordinal) || text.Contains("}}", StringComparison.Ordinal)) return null;
            if (!text.IsEmpty) parts.Add(text.ToString());
            if (open < 0) break;
            var close = source.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0) return null;
            if (Path(source.AsSpan(open + 2, close - open - 2)) is not { } path) return null;
            parts.Add(path);
            index = close + 2;
        }

        return new SimpleTemplate([.. parts]);
    }

    /// <summary>Renders over the values a template sees; false when a value is one Fluid must print (a number, a list, a member of a non-object).</summary>
    public bool TryRender(JsonNode? input, JsonNode? inputs, JsonObject state, out string text)
    {
        var builder = new StringBuilder();
        foreach (var part in _parts)
        {
            if (part is string literal)
            {
                builder.Append(literal);
                continue;
            }

            var path = (string[])part;
            var value = path[0] switch
            {
                "input" => input,
                "inputs" => inputs,
                _ => state,
            };
            for (var i = 1; i < path.Length && value is not null; i++)
            {
                if (value is not JsonObject obj)
                {
                    text = "";
                    return false;
                }

                value = obj.TryGetPropertyValue(path[i], out var member) ? member : null;
            }

            switch (value)
            {
                case null:
                    break;
                case JsonObject obj:
                    builder.Append(obj.ToJsonString());
                    break;
                case JsonValue scalar when scalar.TryGetValue<string>(out var s):
                    builder.Append(s);
                    break;
                default:
                    text = "";
                    return false;
            }
        }

        text = builder.ToString();
        return true;
    }

    /// <summary>The path an output prints, or null when the output is more than a plain path.</summary>
    private static string[]? Path(ReadOnlySpan<char> output)
    {
        var trimmed = output.Trim(" \t\r\n");
        // An empty output, or "{{-" / "-}}" (whitespace control), is Fluid's.
        if (trimmed.IsEmpty || output[0] == '-' || output[^1] == '-') return null;
        var names = new List<string>();
        foreach (var range in trimmed.Split('.'))
        {
            var name = trimmed[range];
            if (!IsName(name)) return null;
            if (names.Count > 0 && Array.IndexOf(LiquidNames, name.ToString()) >= 0) return null;
            names.Add(name.ToString());
        }

        return Array.IndexOf(Roots, names[0]) >= 0 ? [.. names] : null;
    }

    private static bool IsName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || !(char.IsAsciiLetter(name[0]) || name[0] == '_')) return false;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        }

        return true;
    }
}
