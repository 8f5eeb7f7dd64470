using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Baton;

/// <summary>
/// When two voters gave the same answer. An equality reduces each answer to a key; answers with
/// the same key (ordinal) are one answer in the tally, shown with the payload of the first voter that gave it.
/// </summary>
public sealed class AnswerEquality : IEqualityComparer<Payload>
{
    private readonly Func<Payload, string> _key;

    private AnswerEquality(string name, Func<Payload, string> key)
    {
        Name = name;
        _key = key;
    }

    /// <summary>The equality's name, as tallies show it.</summary>
    public string Name { get; }

    /// <summary>The same text, character for character (a JSON answer compares by its stored JSON text).</summary>
    public static AnswerEquality Exact { get; } = new("exact", static answer => answer.AsText());

    /// <summary>
    /// The default: the same text once trimmed, with runs of whitespace as one space and case ignored
    /// (invariant culture), so <c>"Yes"</c>, <c>"yes "</c> and <c>"YES"</c> agree.
    /// </summary>
    public static AnswerEquality IgnoreCaseAndWhitespace { get; } = new("ignore-case-and-whitespace", static answer => Normalize(answer.AsText()));

    /// <summary>
    /// Compares JSON answers by the value at a dotted path, e.g. <c>verdict</c> or <c>result.label</c>
    /// (a numeric segment indexes an array); string values compare ignoring case and whitespace, other
    /// values by their JSON text. Text that holds JSON is parsed. An answer without the path (or that is
    /// not JSON) is compared by its whole text, ignoring case and whitespace.
    /// </summary>
    public static AnswerEquality ByJsonPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var segments = path.Split('.');
        if (segments.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException($"'{path}' is not a dotted path such as 'verdict' or 'result.label'", nameof(path));
        return new AnswerEquality("json:" + path, answer => Select(answer, segments) is { } value
            ? Normalize(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText())
            : Normalize(answer.AsText()));
    }

    /// <summary>Your own key: answers with the same key (ordinal) are the same answer.</summary>
    public static AnswerEquality By(string name, Func<Payload, string> key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(key);
        return new AnswerEquality(name, key);
    }

    /// <summary>The key an answer compares by; also what the lexicographic tie rule sorts.</summary>
    public string KeyOf(Payload answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return _key(answer) ?? string.Empty;
    }

    /// <inheritdoc/>
    public bool Equals(Payload? x, Payload? y) =>
        x is null || y is null ? ReferenceEquals(x, y) : string.Equals(KeyOf(x), KeyOf(y), StringComparison.Ordinal);

    /// <inheritdoc/>
    public int GetHashCode(Payload obj) => StringComparer.Ordinal.GetHashCode(KeyOf(obj));

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>Trims, turns each run of whitespace into one space and lower-cases (invariant).</summary>
    internal static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.AsSpan().Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space) builder.Append(' ');
            space = false;
            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }

    private static JsonElement? Select(Payload answer, string[] segments)
    {
        JsonElement current;
        if (answer.Kind == PayloadKind.Json)
        {
            current = answer.AsJson();
        }
        else
        {
            var text = answer.AsText().AsSpan().Trim();
            if (text.Length == 0 || (text[0] != '{' && text[0] != '[')) return null;
            try
            {
                current = Payload.ParseJson(text.ToString()).AsJson();
            }
            catch (JsonException)
            {
                return null;
            }
        }

        foreach (var segment in segments)
        {
            if (current.ValueKind == JsonValueKind.Object)
            {
                if (current.TryGetProperty(segment, out var exact))
                {
                    current = exact;
                    continue;
                }

                var found = false;
                foreach (var property in current.EnumerateObject())
                {
                    if (!string.Equals(property.Name, segment, StringComparison.OrdinalIgnoreCase)) continue;
                    current = property.Value;
                    found = true;
                    break;
                }

                if (!found) return null;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }

        return current.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? null : current;
    }
}
