using System.Text.Json;
using System.Text.Json.Nodes;

namespace Baton;

/// <summary>
/// A conversation so far: the task it started from and every message since, in order. It is what a conversation's
/// turn receives — a model agent as chat history (see <see cref="IConversationAgent"/>), any other agent as the
/// payload <c>{ task, messages: [{ from, text }] }</c>.
/// </summary>
/// <param name="Task">The conversation's input: the task everyone works on.</param>
/// <param name="Messages">The messages so far, oldest first.</param>
public sealed record Transcript(Payload Task, IReadOnlyList<TranscriptMessage> Messages)
{
    /// <summary>A conversation that has only its task.</summary>
    public static Transcript Start(Payload task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new Transcript(task, []);
    }

    /// <summary>This transcript with one more message.</summary>
    public Transcript With(TranscriptMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return this with { Messages = [.. Messages, message] };
    }

    /// <summary>The last message, or null before anyone spoke.</summary>
    public TranscriptMessage? Last => Messages.Count == 0 ? null : Messages[^1];

    /// <summary>The transcript as <c>{ task, messages: [{ from, text }] }</c> (the task as JSON, or as text).</summary>
    public Payload ToPayload() => ToPayload(null, null, null);

    /// <summary>
    /// The transcript as a payload, with properties of the caller's after <c>messages</c> and then <c>prompt</c>
    /// (a turn's input). Written straight to UTF-8: every turn writes the whole conversation so far, so no node tree.
    /// </summary>
    internal Payload ToPayload(IEnumerable<KeyValuePair<string, JsonNode?>>? extra, string? promptName, string? prompt)
    {
        // Sized for the whole conversation at once (ASCII-sized; it grows for the rest), so the buffer is rarely copied.
        var size = 128 + Task.ExactSizeInBytes + (prompt?.Length ?? 0);
        foreach (var message in Messages) size += 32 + message.From.Length + message.Text.Length;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(size);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WritePropertyName(TaskProperty);
            // The task's JSON is copied as it is stored, not parsed again.
            JsonPayloads.Write(writer, Task);
            writer.WriteStartArray(MessagesProperty);
            foreach (var message in Messages)
            {
                writer.WriteStartObject();
                writer.WriteString(FromProperty, message.From);
                writer.WriteString(TextProperty, message.Text);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (extra is not null)
            {
                foreach (var (key, value) in extra)
                {
                    // The transcript's own properties and the prompt are not the caller's to replace.
                    if (key is TaskProperty or MessagesProperty || (prompt is not null && key == promptName)) continue;
                    writer.WritePropertyName(key);
                    if (value is null) writer.WriteNullValue();
                    else value.WriteTo(writer);
                }
            }

            if (promptName is not null && prompt is not null) writer.WriteString(promptName, prompt);
            writer.WriteEndObject();
        }

        return Payload.FromTrustedUtf8Json(buffer.WrittenSpan.ToArray());
    }

    /// <summary>As the engine's own JSON payloads are written: readable text in the journal and the report.</summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const string TaskProperty = "task";
    private const string MessagesProperty = "messages";
    private const string FromProperty = "from";
    private const string TextProperty = "text";

    /// <summary>The transcript's JSON object, for callers adding properties of their own (a manager's <c>members</c>).</summary>
    public JsonObject ToJson()
    {
        var messages = new JsonArray();
        foreach (var message in Messages) messages.Add(new JsonObject { ["from"] = message.From, ["text"] = message.Text });
        return new JsonObject { ["task"] = TaskJson(Task), ["messages"] = messages };
    }

    /// <summary>Reads a payload of the shape <see cref="ToPayload()"/> writes.</summary>
    /// <exception cref="FormatException">The payload is not a transcript.</exception>
    public static Transcript FromPayload(Payload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.Kind != PayloadKind.Json || payload.AsJson() is not { ValueKind: JsonValueKind.Object } json
            || !json.TryGetProperty("messages", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("a transcript is an object { task, messages: [{ from, text }] }");
        }

        var task = json.TryGetProperty("task", out var t) ? Payload.FromJson(t) : Payload.Empty;
        var messages = new List<TranscriptMessage>(list.GetArrayLength());
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("from", out var from) || from.ValueKind != JsonValueKind.String)
            {
                throw new FormatException("each message of a transcript is { from, text }");
            }

            var text = item.TryGetProperty("text", out var x) ? x.ValueKind == JsonValueKind.String ? x.GetString()! : x.GetRawText() : "";
            messages.Add(new TranscriptMessage(from.GetString()!, text));
        }

        return new Transcript(task, messages);
    }

    private static JsonNode? TaskJson(Payload task) => task.Kind switch
    {
        PayloadKind.Json => JsonNode.Parse(task.ToString()),
        PayloadKind.Text => JsonValue.Create(task.AsText()),
        _ => null,
    };
}
