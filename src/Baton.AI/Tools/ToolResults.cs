using System.Text.Json;

namespace Baton.AI;

/// <summary>What a model is given as a tool's result, from a payload: its text, or its JSON.</summary>
internal static class ToolResults
{
    public static object? From(Payload payload) => payload.Kind switch
    {
        PayloadKind.Json => payload.AsJson(),
        PayloadKind.Text => payload.AsText(),
        _ => "",
    };

    /// <summary>A tool's result as a payload, so a journaled call gives the model the same result again.</summary>
    public static Payload ToPayload(object? result) => result switch
    {
        null => Payload.Empty,
        string text => Payload.FromText(text),
        JsonElement json => Payload.FromJson(json),
        Payload payload => payload,
        _ => Payload.From(result),
    };
}
