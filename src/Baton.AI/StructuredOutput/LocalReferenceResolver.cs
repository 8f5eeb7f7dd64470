using NJsonSchema;
using NJsonSchema.References;

namespace Baton.AI;

/// <summary>
/// Resolves a schema's <c>$ref</c>s inside the schema only (<c>#/definitions/...</c>): a reference to a file or URL is
/// refused rather than fetched, so reading a schema never touches the disk or the network.
/// </summary>
internal sealed class LocalReferenceResolver(JsonSchemaAppender appender) : JsonReferenceResolver(appender)
{
    /// <summary>Makes the resolver for a schema being read.</summary>
    public static LocalReferenceResolver For(JsonSchema schema) => new(new JsonSchemaAppender(schema, new DefaultTypeNameGenerator()));

    public override Task<IJsonReference> ResolveFileReferenceAsync(string filePath, CancellationToken cancellationToken = default) =>
        throw new ExternalReferenceException(filePath);

    public override Task<IJsonReference> ResolveUrlReferenceAsync(string url, CancellationToken cancellationToken = default) =>
        throw new ExternalReferenceException(url);
}
