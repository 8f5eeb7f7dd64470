using System.Text.Json;
using System.Text.Json.Nodes;

namespace Baton.Yaml.Loading;

/// <summary>Whether a JSON value is of an input's declared type.</summary>
internal static class InputChecks
{
    public static bool Matches(string type, JsonNode? value) => value is null || (type, value.GetValueKind()) switch
    {
        ("string", JsonValueKind.String) => true,
        ("number", JsonValueKind.Number) => true,
        ("boolean", JsonValueKind.True or JsonValueKind.False) => true,
        ("object", JsonValueKind.Object) => true,
        ("array", JsonValueKind.Array) => true,
        _ => false,
    };
}
