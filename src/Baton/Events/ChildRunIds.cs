using System.Security.Cryptography;
using System.Text;

namespace Baton;

/// <summary>
/// The id of the run an event starts for a workflow subscriber: derived from the event's id and the subscriber, so a
/// second delivery of the same event (a resume publishing again what a crash kept from being marked published) finds
/// the run the first one stored instead of starting another.
/// </summary>
internal static class ChildRunIds
{
    /// <summary>32 hex digits, like every run id, from the message id, the subscriber's name and its pattern.</summary>
    public static string For(string messageId, string subscriber, string pattern)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        // Lengths first, so no two different triples can give the same text to hash.
        var text = $"baton-event-run\n{messageId.Length}:{messageId}\n{subscriber.Length}:{subscriber}\n{pattern.Length}:{pattern}";
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }
}
