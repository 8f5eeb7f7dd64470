using System.Collections.Concurrent;
using NJsonSchema;

namespace Baton.AI;

/// <summary>
/// Checks a person's answer against its request's JSON schema (<see cref="HumanRequest.AnswerSchema"/>) with NJsonSchema:
/// set <see cref="BatonOptions.AnswerValidator"/> to <see cref="Validate"/>.
/// </summary>
public static class JsonSchemaAnswerValidator
{
    private static readonly ConcurrentDictionary<string, JsonSchema> Schemas = new(StringComparer.Ordinal);

    /// <summary>Why the answer does not satisfy the request's schema (every problem, with its path), or null when it does.</summary>
    public static string? Validate(HumanRequest request, string answer)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(answer);
        if (request.AnswerSchema is not { } source) return null;
        JsonSchema schema;
        try
        {
            schema = Schemas.GetOrAdd(source, static s => JsonSchema.FromJsonAsync(s, null, LocalReferenceResolver.For, CancellationToken.None).GetAwaiter().GetResult());
        }
        catch (Exception ex) when (ex is Newtonsoft.Json.JsonException or InvalidOperationException)
        {
            return $"the request's answer schema is not a valid JSON schema: {ex.Message}";
        }

        ICollection<NJsonSchema.Validation.ValidationError> errors;
        try
        {
            errors = schema.Validate(answer);
        }
        catch (Newtonsoft.Json.JsonException ex)
        {
            return $"the answer is not JSON: {ex.Message}";
        }

        return errors.Count == 0 ? null : string.Join("; ", errors.Select(e => $"{(string.IsNullOrEmpty(e.Path) ? "#" : e.Path)}: {e.Kind}"));
    }
}
