using System.Text.Json.Nodes;

namespace Baton.AI;

/// <summary>One reply of the scripted model: text (plain or JSON), optionally with a confidence, or a tool call.</summary>
public sealed record ScriptedReply
{
    /// <summary>The reply's text (a JSON reply is its JSON text); null for a tool call.</summary>
    public string? Text { get; init; }

    /// <summary>The confidence the reply carries, surfaced as <see cref="ScriptedChatClient.ConfidenceProperty"/>.</summary>
    public double? Confidence { get; init; }

    /// <summary>The tool the model asks to call, for a tool-call reply.</summary>
    public string? Tool { get; init; }

    /// <summary>The tool call's arguments.</summary>
    public JsonObject? Arguments { get; init; }

    /// <summary>True when the reply is a tool call.</summary>
    public bool IsToolCall => Tool is not null;

    /// <summary>A plain text (or JSON text) reply.</summary>
    public static ScriptedReply FromText(string text) => new() { Text = text ?? throw new ArgumentNullException(nameof(text)) };

    /// <summary>A reply carrying a confidence.</summary>
    public static ScriptedReply WithConfidence(string text, double confidence)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(confidence, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(confidence, 1);
        return new() { Text = text ?? throw new ArgumentNullException(nameof(text)), Confidence = confidence };
    }

    /// <summary>A reply asking to call <paramref name="tool"/> with <paramref name="arguments"/>.</summary>
    public static ScriptedReply ToolCall(string tool, JsonObject? arguments = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tool);
        return new() { Tool = tool, Arguments = arguments ?? [] };
    }

    /// <summary>Text replies, one per string: <c>ScriptedReply.Texts("a", "b")</c>.</summary>
    public static IEnumerable<ScriptedReply> Texts(params string[] texts) => texts.Select(FromText);

    /// <inheritdoc/>
    public override string ToString() => IsToolCall ? $"tool {Tool}({Arguments?.ToJsonString()})" : Text ?? "";
}
