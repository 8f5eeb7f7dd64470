using System.Text.Json;
using System.Text.Json.Serialization;

namespace Baton;

/// <summary>Writes a payload as its JSON value: text as a string, empty as null.</summary>
internal sealed class PayloadJsonConverter : JsonConverter<Payload>
{
    public override bool HandleNull => true;

    public override Payload Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return Payload.Empty;
            case JsonTokenType.String:
                return Payload.FromText(reader.GetString()!);
            default:
                using (var document = JsonDocument.ParseValue(ref reader))
                {
                    return Payload.FromJson(document.RootElement);
                }
        }
    }

    public override void Write(Utf8JsonWriter writer, Payload value, JsonSerializerOptions options)
    {
        JsonPayloads.Write(writer, value);
    }
}
