using System.Buffers;
using System.Text.Json;

namespace Baton;

/// <summary>Builds JSON payloads (arrays, objects) out of other payloads without re-parsing them.</summary>
internal static class JsonPayloads
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Payload Array(IEnumerable<Payload?> items)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            foreach (var item in items) Write(writer, item);
            writer.WriteEndArray();
        }

        return Payload.FromTrustedUtf8Json(buffer.WrittenSpan.ToArray());
    }

    public static Payload Object(IEnumerable<KeyValuePair<string, Payload?>> properties)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in properties)
            {
                writer.WritePropertyName(name);
                Write(writer, value);
            }

            writer.WriteEndObject();
        }

        return Payload.FromTrustedUtf8Json(buffer.WrittenSpan.ToArray());
    }

    public static void Write(Utf8JsonWriter writer, Payload? payload)
    {
        switch (payload?.Kind ?? PayloadKind.Empty)
        {
            case PayloadKind.Empty:
                writer.WriteNullValue();
                break;
            case PayloadKind.Text:
                writer.WriteStringValue(payload!.AsText());
                break;
            default:
                writer.WriteRawValue(payload!.Utf8Json, skipInputValidation: true);
                break;
        }
    }

    /// <summary>The input a fallback step receives: <c>{ error: { message, kind, step }, partial }</c>.</summary>
    public static Payload ErrorEnvelope(StepError error, Payload partial) =>
        Object([new("error", error.ToPayload()), new("partial", partial)]);
}
