using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Baton.AI;

/// <summary>
/// Names the child steps of one model agent step's journaled tool calls by what is called: the tool and a hash of its
/// arguments, then <c>-2</c>, <c>-3</c>... for the same call made again in the step. A step re-run after a resume
/// finds a call it made before (and its approval and result) by its content, whatever order the calls come in; a
/// different call never inherits another's approval.
/// </summary>
internal sealed class ToolCallNames
{
    private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);

    public string Next(string tool, IDictionary<string, object?>? arguments)
    {
        var name = $"tool-{Clean(tool)}-{Hash(arguments)}";
        lock (_seen)
        {
            var count = _seen[name] = _seen.GetValueOrDefault(name) + 1;
            return count == 1 ? name : $"{name}-{count}";
        }
    }

    /// <summary>A tool's name as a step id: the characters step keys reserve replaced.</summary>
    public static string Clean(string tool)
    {
        var text = new StringBuilder(tool.Length);
        foreach (var c in tool) text.Append(c is '/' or ':' or '#' or '$' || char.IsControl(c) ? '_' : c);
        return text.Length == 0 ? "tool" : text.ToString();
    }

    private static string Hash(IDictionary<string, object?>? arguments)
    {
        // Sorted by name, so the same arguments in another order are the same call.
        var canonical = JsonSerializer.Serialize(arguments is null ? [] : arguments.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new object?[] { a.Key, a.Value }).ToArray());
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)).AsSpan(0, 4));
    }
}
