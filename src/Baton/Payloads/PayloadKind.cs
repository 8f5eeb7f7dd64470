namespace Baton;

/// <summary>What a <see cref="Payload"/> holds.</summary>
public enum PayloadKind
{
    /// <summary>Nothing: the output of a step that produced no value.</summary>
    Empty,

    /// <summary>Plain text (a JSON string value is text too).</summary>
    Text,

    /// <summary>A JSON value other than a string: object, array, number, boolean.</summary>
    Json,
}
