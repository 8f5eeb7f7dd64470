using System.Text.Json;

namespace Baton;

/// <summary>
/// The team's own small transcript type, of the conversations' shape (to fold into the shared conversation transcript).
/// What a team's agents receive each turn: the task and the messages so far, as
/// <c>{ task, messages: [{ from, text }] }</c>. The manager's view adds the team's own notes (the members, the reply
/// format, why a reply was refused, when to re-plan), <c>members</c>, <c>round</c>, <c>maxRounds</c> and the latest
/// <c>plan</c>; a member sees the conversation only, ending with the manager's instruction to it.
/// </summary>
/// <param name="Task">The team's task (the step's input).</param>
/// <param name="Messages">The messages so far, oldest first.</param>
internal sealed record TeamTranscript(Payload Task, IReadOnlyList<TeamMessage> Messages)
{
    /// <summary>Reads a transcript back from the payload an agent received.</summary>
    /// <exception cref="FormatException">The payload is not a transcript.</exception>
    public static TeamTranscript FromPayload(Payload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.Kind != PayloadKind.Json || payload.AsJson() is not { ValueKind: JsonValueKind.Object } json || !json.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("a team transcript is a JSON object { task, messages: [{ from, text }] }");
        }

        var task = json.TryGetProperty("task", out var t) ? t.ValueKind == JsonValueKind.String ? Payload.FromText(t.GetString()!) : Payload.FromJson(t) : Payload.Empty;
        var list = new List<TeamMessage>();
        foreach (var message in messages.EnumerateArray())
        {
            list.Add(new TeamMessage(
                message.TryGetProperty("from", out var from) ? from.GetString() ?? string.Empty : string.Empty,
                message.TryGetProperty("text", out var text) ? text.GetString() ?? string.Empty : string.Empty));
        }

        return new TeamTranscript(task, list);
    }

    /// <summary>The transcript as <c>{ task, messages: [{ from, text }] }</c>, with <paramref name="extra"/> properties after them.</summary>
    internal Payload ToPayload(Action<Utf8JsonWriter>? extra = null)
    {
        // Written once, straight to UTF-8: a turn's input holds the whole conversation, so it is built every turn.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("task");
            switch (Task.Kind)
            {
                case PayloadKind.Json: Task.AsJson().WriteTo(writer); break;
                case PayloadKind.Text: writer.WriteStringValue(Task.AsText()); break;
                default: writer.WriteNullValue(); break;
            }

            writer.WriteStartArray("messages");
            foreach (var message in Messages)
            {
                writer.WriteStartObject();
                writer.WriteString("from", message.From);
                writer.WriteString("text", message.Text);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            extra?.Invoke(writer);
            writer.WriteEndObject();
        }

        return Payload.ParseJson(buffer.WrittenSpan);
    }
}
