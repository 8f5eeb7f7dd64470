using System.Text.Json;
using System.Text.Json.Nodes;

namespace Baton.AI;

/// <summary>
/// A JSON schema of the plain shape most output schemas have, checked on System.Text.Json: only <c>type</c> (one of the
/// seven), <c>properties</c>, <c>required</c>, <c>additionalProperties</c> (true or false), <c>items</c> (one schema),
/// <c>title</c> and <c>description</c>. Reading a schema with NJsonSchema costs a command about 125 ms of its start-up
/// (it runs on Newtonsoft.Json, whose first use builds accessors for its whole schema type), so a plain schema is read
/// here and NJsonSchema only when a reply does not plainly pass: what a reply is told is still NJsonSchema's word.
/// </summary>
internal sealed class SimpleSchema
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal) { "type", "properties", "required", "additionalProperties", "items", "title", "description" };
    private static readonly HashSet<string> Types = new(StringComparer.Ordinal) { "object", "array", "string", "number", "integer", "boolean", "null" };

    private readonly string? _type;
    private readonly Dictionary<string, SimpleSchema> _properties;
    private readonly string[] _required;
    private readonly bool _additionalProperties;
    private readonly SimpleSchema? _items;

    private SimpleSchema(string? type, Dictionary<string, SimpleSchema> properties, string[] required, bool additionalProperties, SimpleSchema? items)
    {
        _type = type;
        _properties = properties;
        _required = required;
        _additionalProperties = additionalProperties;
        _items = items;
    }

    /// <summary>The schema when it has the plain shape, else null (NJsonSchema reads it).</summary>
    public static SimpleSchema? TryRead(JsonNode? node, int depth = 0)
    {
        if (node is not JsonObject schema || depth > 32) return null;
        string? type = null;
        var properties = new Dictionary<string, SimpleSchema>(StringComparer.Ordinal);
        string[] required = [];
        var additionalProperties = true;
        SimpleSchema? items = null;
        try
        {
            foreach (var (key, value) in schema)
            {
                if (!Keywords.Contains(key)) return null;
                switch (key)
                {
                    case "type":
                        if (!IsString(value, out type) || !Types.Contains(type)) return null;
                        break;
                    case "properties":
                        if (value is not JsonObject members) return null;
                        foreach (var (name, member) in members)
                        {
                            if (TryRead(member, depth + 1) is not { } property) return null;
                            properties.Add(name, property);
                        }

                        break;
                    case "required":
                        if (value is not JsonArray names) return null;
                        var list = new List<string>();
                        foreach (var name in names)
                        {
                            if (!IsString(name, out var text)) return null;
                            list.Add(text);
                        }

                        required = [.. list];
                        break;
                    case "additionalProperties":
                        if (value is not JsonValue flag || flag.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False)) return null;
                        additionalProperties = flag.GetValue<bool>();
                        break;
                    case "items":
                        if (TryRead(value, depth + 1) is not { } item) return null;
                        items = item;
                        break;
                    default:
                        if (!IsString(value, out _)) return null;
                        break;
                }
            }
        }
        catch (ArgumentException)
        {
            // A property written twice: NJsonSchema decides what that means.
            return null;
        }

        // Object keywords on a schema that is not plainly an object schema (and items on a non-array) are NJsonSchema's to read.
        var objectKeywords = properties.Count > 0 || required.Length > 0 || !additionalProperties || schema.ContainsKey("properties") || schema.ContainsKey("required") || schema.ContainsKey("additionalProperties");
        if (objectKeywords && type != "object") return null;
        if (schema.ContainsKey("items") && type != "array") return null;
        return new SimpleSchema(type, properties, required, additionalProperties, items);
    }

    /// <summary>
    /// True when the value certainly satisfies the schema; false when it does not or when that is not plain (a number
    /// JSON writes as <c>1.0</c> for an integer, a required property that is null, a property written twice), which
    /// NJsonSchema then decides and explains.
    /// </summary>
    public bool Passes(JsonNode? value, int depth = 0)
    {
        try
        {
            return depth <= 64 && Satisfies(value, depth);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    private bool Satisfies(JsonNode? value, int depth)
    {
        switch (_type)
        {
            case null:
                return true;
            case "null":
                return value is null;
            case "string":
                return value is JsonValue s && s.GetValueKind() == JsonValueKind.String;
            case "boolean":
                return value is JsonValue b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False;
            case "number":
                return value is JsonValue n && n.GetValueKind() == JsonValueKind.Number && Number(n) is { Length: <= 20 };
            case "integer":
                return value is JsonValue i && i.GetValueKind() == JsonValueKind.Number && Number(i) is { Length: <= 18 } digits && digits.AsSpan().TrimStart('-').ContainsAnyExceptInRange('0', '9') is false;
            case "array":
                if (value is not JsonArray array) return false;
                if (_items is null) return true;
                foreach (var item in array)
                {
                    if (!_items.Passes(item, depth + 1)) return false;
                }

                return true;
            default:
                if (value is not JsonObject obj) return false;
                foreach (var name in _required)
                {
                    if (!obj.TryGetPropertyValue(name, out var member) || member is null) return false;
                }

                foreach (var (name, member) in obj)
                {
                    if (_properties.TryGetValue(name, out var property))
                    {
                        if (!property.Passes(member, depth + 1)) return false;
                    }
                    else if (!_additionalProperties)
                    {
                        return false;
                    }
                }

                return true;
        }
    }

    /// <summary>A number as the reply wrote it.</summary>
    private static string Number(JsonValue value) => value.ToJsonString();

    private static bool IsString(JsonNode? node, out string text)
    {
        text = "";
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String) return false;
        text = value.GetValue<string>();
        return true;
    }
}
