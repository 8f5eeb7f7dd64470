using Microsoft.Extensions.AI;

namespace Baton.AI;

/// <summary>
/// How a model sees a conversation: each message as chat history under its speaker's name
/// (<see cref="ChatMessage.AuthorName"/>), the speaker's own messages as its replies (assistant), everyone else's as
/// user messages, then the turn's prompt when it has one.
/// </summary>
public static class ConversationHistory
{
    /// <summary>The chat messages after the system message and the task, for <paramref name="turn"/>'s speaker.</summary>
    public static IReadOnlyList<ChatMessage> Of(ConversationTurn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var messages = new List<ChatMessage>(turn.Transcript.Messages.Count + 1);
        foreach (var message in turn.Transcript.Messages)
        {
            var role = string.Equals(message.From, turn.Speaker, StringComparison.Ordinal) ? ChatRole.Assistant : ChatRole.User;
            messages.Add(new ChatMessage(role, message.Text) { AuthorName = message.From });
        }

        if (turn.Prompt is { Length: > 0 } prompt) messages.Add(new ChatMessage(ChatRole.User, prompt));
        return messages;
    }
}
