using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;

namespace Baton.AI;

/// <summary>
/// A JSON schema a model's reply must satisfy, from a C# type or written by hand; checked with NJsonSchema. A schema of
/// the plain shape (<c>type</c>, <c>properties</c>, <c>required</c>, <c>additionalProperties</c>, <c>items</c>) is sent
/// to providers as written and NJsonSchema reads it only when a reply does not plainly satisfy it, which keeps
/// NJsonSchema (and Newtonsoft.Json) off a command's start-up.
/// </summary>
public sealed class OutputSchema
{
    private readonly SimpleSchema? _simple;
    private readonly string? _source;
    private JsonSchema? _schema;

    private OutputSchema(JsonSchema schema, string name)
    {
        _schema = schema;
        Name = name;
        Json = JsonDocument.Parse(schema.ToJson()).RootElement.Clone();
    }

    private OutputSchema(SimpleSchema simple, string source, string name)
    {
        _simple = simple;
        _source = source;
        Name = name;
        Json = JsonDocument.Parse(source).RootElement.Clone();
    }

    /// <summary>The schema's name, sent to providers that take one.</summary>
    public string Name { get; }

    /// <summary>The schema as JSON.</summary>
    public JsonElement Json { get; }

    /// <summary>The schema of a C# type.</summary>
    public static OutputSchema FromType<T>() => new(JsonSchema.FromType<T>(), typeof(T).Name);

    /// <summary>A schema written by hand. Its <c>$ref</c>s must point inside it (<c>#/...</c>): no file or URL is read.</summary>
    /// <exception cref="FormatException">The text is not a JSON schema, or a <c>$ref</c> points outside it.</exception>
    public static OutputSchema FromJson(string schema, string name = "output")
    {
        ArgumentNullException.ThrowIfNull(schema);
        try
        {
            // Refused by name before NJsonSchema reads it; the resolver is the second line, for references this walk misses.
            var node = JsonNode.Parse(schema);
            if (ExternalReference(node) is { } external) throw new ExternalReferenceException(external);
            if (SimpleSchema.TryRead(node) is { } simple) return new OutputSchema(simple, schema, name);
            return new OutputSchema(Read(schema), name);
        }
        catch (Exception ex) when (Innermost(ex) is ExternalReferenceException external)
        {
            throw new FormatException($"not a valid JSON schema: {external.Message}", ex);
        }
        catch (Exception ex) when (ex is JsonException or Newtonsoft.Json.JsonException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            throw new FormatException($"not a valid JSON schema: {ex.Message}", ex);
        }
    }

    /// <summary>Reads a schema with NJsonSchema; nothing here waits on I/O (external references are refused), so the task is complete when it returns.</summary>
    private static JsonSchema Read(string schema) =>
        JsonSchema.FromJsonAsync(schema, null, LocalReferenceResolver.For, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>The first <c>$ref</c> that does not point inside the schema (<c>#...</c>), if any.</summary>
    private static string? ExternalReference(JsonNode? node)
    {
        var pending = new Stack<JsonNode?>([node]);
        while (pending.TryPop(out var current))
        {
            if (current is JsonObject obj)
            {
                foreach (var (key, value) in obj)
                {
                    if (key == "$ref" && value is JsonValue reference && reference.TryGetValue<string>(out var target) && !target.StartsWith('#')) return target;
                    pending.Push(value);
                }
            }
            else if (current is JsonArray array)
            {
                foreach (var item in array) pending.Push(item);
            }
        }

        return null;
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null) exception = exception.InnerException;
        return exception;
    }

    /// <summary>
    /// Parses a reply (a ```json fence around it is tolerated) and checks it: the JSON when valid, else every problem
    /// with its path.
    /// </summary>
    public (JsonNode? Value, IReadOnlyList<string> Problems) Check(string reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var text = Unfence(reply);
        // Half of a surrogate pair is no text at all: refused here, whatever the JSON reader would make of it.
        if (HasLoneSurrogate(text)) return (null, ["the reply is not valid text: it holds half of a surrogate pair"]);
        JsonNode? value;
        try
        {
            value = JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            return (null, [$"the reply is not JSON: {ex.Message}"]);
        }
        catch (ArgumentException ex)
        {
            // A provider's JSON may escape half of a surrogate pair ("\ud800"): the reply is then no valid text at all.
            return (null, [$"the reply is not valid text: {ex.Message}"]);
        }

        if (_simple is not null && _simple.Passes(value)) return (value, []);
        // A plain schema reads the same in NJsonSchema (it was checked to have only keywords NJsonSchema reads plainly).
        var schema = _schema ??= Read(_source!);
        ICollection<NJsonSchema.Validation.ValidationError> errors;
        try
        {
            errors = schema.Validate(text);
        }
        catch (Exception ex) when (ex is InvalidCastException or OverflowException or FormatException or Newtonsoft.Json.JsonException)
        {
            // NJsonSchema reads the reply again with Newtonsoft.Json, which throws on what System.Text.Json accepted
            // (an integer beyond 64 bits): a reply that cannot be checked is a reply that does not pass.
            return (null, [$"#: the reply could not be checked against the schema: {ex.Message}"]);
        }

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

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) return true;
        }

        return false;
    }

    private static string Unfence(string reply)
    {
        var text = reply.Trim();
        if (!text.StartsWith("```", StringComparison.Ordinal)) return text;
        var firstLine = text.IndexOf('\n');
        var end = text.LastIndexOf("```", StringComparison.Ordinal);
        return firstLine > 0 && end > firstLine ? text[(firstLine + 1)..end].Trim() : text;
    }
}
