using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;

namespace Baton.AI;

/// <summary>A JSON schema a model's reply must satisfy, from a C# type or written by hand; checked with NJsonSchema.</summary>
public sealed class OutputSchema
{
    private readonly JsonSchema _schema;

    private OutputSchema(JsonSchema schema, string name)
    {
        _schema = schema;
        Name = name;
        Json = JsonDocument.Parse(schema.ToJson()).RootElement.Clone();
    }

    /// <summary>The schema's name, sent to providers that take one.</summary>
    public string Name { get; }

    /// <summary>The schema as JSON.</summary>
    public JsonElement Json { get; }

    /// <summary>The schema of a C# type.</summary>
    public static OutputSchema FromType<T>() => new(JsonSchema.FromType<T>(), typeof(T).Name);

    /// <summary>A schema written by hand.</summary>
    /// <exception cref="FormatException">The text is not a JSON schema.</exception>
    public static OutputSchema FromJson(string schema, string name = "output")
    {
        ArgumentNullException.ThrowIfNull(schema);
        try
        {
            return new OutputSchema(JsonSchema.FromJsonAsync(schema).GetAwaiter().GetResult(), name);
        }
        catch (Exception ex) when (ex is Newtonsoft.Json.JsonException or InvalidOperationException or ArgumentException)
        {
            throw new FormatException($"not a valid JSON schema: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Parses a reply (a ```json fence around it is tolerated) and checks it: the JSON when valid, else every problem
    /// with its path.
    /// </summary>
    public (JsonNode? Value, IReadOnlyList<string> Problems) Check(string reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var text = Unfence(reply);
        JsonNode? value;
        try
        {
            value = JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            return (null, [$"the reply is not JSON: {ex.Message}"]);
        }

        var errors = _schema.Validate(text);
        return errors.Count == 0
            ? (value, [])
            : (null, [.. errors.Select(e => $"{(string.IsNullOrEmpty(e.Path) ? "#" : e.Path)}: {Describe(e)}")]);
    }

    private static string Describe(NJsonSchema.Validation.ValidationError error) => error.Kind switch
    {
        NJsonSchema.Validation.ValidationErrorKind.PropertyRequired => $"the property '{error.Property}' is required",
        NJsonSchema.Validation.ValidationErrorKind.NoAdditionalPropertiesAllowed => $"the property '{error.Property}' is not allowed",
        _ => error.Kind.ToString(),
    };

    private static string Unfence(string reply)
    {
        var text = reply.Trim();
        if (!text.StartsWith("```", StringComparison.Ordinal)) return text;
        var firstLine = text.IndexOf('\n');
        var end = text.LastIndexOf("```", StringComparison.Ordinal);
        return firstLine > 0 && end > firstLine ? text[(firstLine + 1)..end].Trim() : text;
    }
}
