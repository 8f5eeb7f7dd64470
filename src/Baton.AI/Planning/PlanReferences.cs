using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Baton.AI.Planning;

/// <summary>
/// The reference syntax of plan arguments: a JSON value <c>{"$ref": "s1"}</c> stands for step
/// <c>s1</c>'s output, and <c>{"$ref": "s1", "path": "items.0.title"}</c> for the part of it the
/// dotted path names (property names and array indices). The whole value is replaced, so a
/// reference keeps the output's JSON type; text output becomes a JSON string.
/// </summary>
internal static class PlanReferences
{
    private const string RefProperty = "$ref";
    private const string PathProperty = "path";

    /// <summary>One reference in a step's arguments.</summary>
    /// <param name="Location">Where it is, written as NJsonSchema writes error paths (<c>#/a.b[0]</c>).</param>
    /// <param name="StepId">The step it refers to.</param>
    /// <param name="Path">The dotted path inside that step's output; null for all of it.</param>
    public readonly record struct Reference(string Location, string StepId, string? Path);

    /// <summary>Every reference in the arguments, and every malformed one as a problem.</summary>
    public static (List<Reference> References, List<string> Problems) Find(JsonElement args)
    {
        var references = new List<Reference>();
        var problems = new List<string>();
        Walk(args, "#/");
        return (references, problems);

        void Walk(JsonElement value, string location)
        {
            if (IsReference(value, out var stepId, out var path, out var problem))
            {
                if (problem is not null) problems.Add($"{location}: {problem}");
                else references.Add(new Reference(location, stepId!, path));
                return;
            }

            if (value.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in value.EnumerateObject()) Walk(property.Value, Child(location, property.Name));
            }
            else if (value.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var item in value.EnumerateArray()) Walk(item, string.Concat(location.TrimEnd('/'), "[", (index++).ToString(CultureInfo.InvariantCulture), "]"));
            }
        }
    }

    /// <summary>The arguments with every reference replaced by what it names in the completed steps' outputs.</summary>
    /// <exception cref="InvalidOperationException">A reference names a step that has no output here, or a path its output does not have.</exception>
    public static Payload Substitute(JsonElement args, IReadOnlyDictionary<string, Payload> outputs)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, args);
        }

        return Payload.ParseJson(buffer.WrittenSpan);

        void Write(Utf8JsonWriter writer, JsonElement value)
        {
            if (IsReference(value, out var stepId, out var path, out var problem) && problem is null)
            {
                if (!outputs.TryGetValue(stepId!, out var output)) throw new InvalidOperationException($"the arguments refer to step '{stepId}', which is not among the steps this one depends on");
                Resolve(output, stepId!, path).WriteTo(writer);
                return;
            }

            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    writer.WriteStartObject();
                    foreach (var property in value.EnumerateObject())
                    {
                        writer.WritePropertyName(property.Name);
                        Write(writer, property.Value);
                    }

                    writer.WriteEndObject();
                    break;
                case JsonValueKind.Array:
                    writer.WriteStartArray();
                    foreach (var item in value.EnumerateArray()) Write(writer, item);
                    writer.WriteEndArray();
                    break;
                default:
                    value.WriteTo(writer);
                    break;
            }
        }
    }

    private static JsonElement Resolve(Payload output, string stepId, string? path)
    {
        var value = output.AsJson();
        if (path is null) return value;
        // A model's reply is text; when it holds JSON, a path reads into it.
        if (value.ValueKind == JsonValueKind.String)
        {
            try
            {
                value = Payload.ParseJson(value.GetString()!).AsJson();
            }
            catch (JsonException)
            {
                throw new InvalidOperationException($"the output of step '{stepId}' is text, which has no '{path}'");
            }
        }

        foreach (var segment in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty(segment, out var property))
            {
                value = property;
            }
            else if (value.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < value.GetArrayLength())
            {
                value = value[index];
            }
            else
            {
                throw new InvalidOperationException($"the output of step '{stepId}' has no '{path}' (no '{segment}' in {value.ValueKind.ToString().ToLowerInvariant()})");
            }
        }

        return value;
    }

    private static bool IsReference(JsonElement value, out string? stepId, out string? path, out string? problem)
    {
        stepId = path = problem = null;
        if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(RefProperty, out var target)) return false;
        if (target.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(target.GetString()))
        {
            problem = "\"$ref\" must be a step id";
            return true;
        }

        stepId = target.GetString();
        foreach (var property in value.EnumerateObject())
        {
            if (property.Name == RefProperty) continue;
            if (property.Name == PathProperty && property.Value.ValueKind == JsonValueKind.String)
            {
                path = property.Value.GetString();
                continue;
            }

            problem = $"a reference may only have \"$ref\" and a \"path\" string, not \"{property.Name}\"";
        }

        return true;
    }

    private static string Child(string location, string name) =>
        location == "#/" ? location + name : string.Concat(location, ".", name);
}
