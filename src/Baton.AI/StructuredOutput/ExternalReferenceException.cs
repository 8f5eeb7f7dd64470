namespace Baton.AI;

/// <summary>A schema's <c>$ref</c> points outside the schema, which Baton does not fetch.</summary>
internal sealed class ExternalReferenceException(string reference)
    : Exception($"the $ref '{reference}' points outside the schema; Baton reads no file or URL for a schema, so put the definition under 'definitions' and refer to it as '#/definitions/NAME'")
{
    public string Reference { get; } = reference;
}
