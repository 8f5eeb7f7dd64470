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
    public Payload ToPayload() => Payload.ParseJson(ToJson().ToJsonString());

    /// <summary>The transcript's JSON object, for callers adding properties of their own (a manager's <c>members</c>).</summary>
    public JsonObject ToJson()
    {
        var messages = new JsonArray();
        foreach (var message in Messages) messages.Add(new JsonObject { ["from"] = message.From, ["text"] = message.Text });
        return new JsonObject { ["task"] = TaskJson(Task), ["messages"] = messages };
    }

    /// <summary>Reads a payload of the shape <see cref="ToPayload"/> writes.</summary>
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
