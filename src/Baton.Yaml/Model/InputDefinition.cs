using System.Text.Json.Nodes;

namespace Baton.Yaml.Model;

/// <summary>A named input.</summary>
/// <param name="Name">The input's name.</param>
/// <param name="Type">string, number, boolean, object or array.</param>
/// <param name="Default">The value when none is given.</param>
/// <param name="Required">True when a value must be given.</param>
public sealed record InputDefinition(string Name, string Type, JsonNode? Default, bool Required)
{
    /// <summary>True when <paramref name="value"/> is of the input's <see cref="Type"/> (string, number, boolean, object, array).</summary>
    public bool Accepts(JsonNode? value) => value?.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.String => Type == "string",
        System.Text.Json.JsonValueKind.Number => Type == "number",
        System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => Type == "boolean",
        System.Text.Json.JsonValueKind.Object => Type == "object",
        System.Text.Json.JsonValueKind.Array => Type == "array",
        _ => false,
    };
}
