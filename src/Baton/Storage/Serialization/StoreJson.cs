using System.Text.Json;
using System.Text.Json.Nodes;

namespace Baton.Storage;

/// <summary>
/// How durable stores write journal entries and human requests: plain JSON bound to Baton's own contracts
/// (System.Text.Json source generation). The format has a version; data of a newer version is refused on read.
/// </summary>
public static class StoreJson
{
    /// <summary>The format this version of Baton writes, and the newest it reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>An entry as a JSON tree (stores may move large payloads out of it before writing it).</summary>
    public static JsonNode ToNode(JournalEntry entry) =>
        JsonSerializer.SerializeToNode(entry ?? throw new ArgumentNullException(nameof(entry)), StoreJsonContext.Default.JournalEntry)!;

    /// <summary>Reads an entry; <paramref name="where"/> names it in the error when the JSON is damaged.</summary>
    /// <exception cref="StoreFormatException">The JSON is not a journal entry.</exception>
    public static JournalEntry ReadEntry(JsonNode node, string where)
    {
        try
        {
            return node.Deserialize(StoreJsonContext.Default.JournalEntry) ?? throw new JsonException("null entry");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or FormatException)
        {
            throw new StoreFormatException($"{where} is damaged and cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>Reads an entry from UTF-8 JSON.</summary>
    /// <exception cref="StoreFormatException">The JSON is not a journal entry.</exception>
    public static JournalEntry ReadEntry(ReadOnlySpan<byte> utf8, string where)
    {
        try
        {
            return JsonSerializer.Deserialize(utf8, StoreJsonContext.Default.JournalEntry) ?? throw new JsonException("null entry");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or FormatException)
        {
            throw new StoreFormatException($"{where} is damaged and cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>A human request as UTF-8 JSON.</summary>
    public static byte[] Write(HumanRequest request) => JsonSerializer.SerializeToUtf8Bytes(request, StoreJsonContext.Default.HumanRequest);

    /// <summary>Reads a human request.</summary>
    /// <exception cref="StoreFormatException">The JSON is not a human request.</exception>
    public static HumanRequest ReadRequest(ReadOnlySpan<byte> utf8, string where)
    {
        try
        {
            return JsonSerializer.Deserialize(utf8, StoreJsonContext.Default.HumanRequest) ?? throw new JsonException("null request");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or FormatException)
        {
            throw new StoreFormatException($"{where} is damaged and cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>Refuses data written by a newer format.</summary>
    /// <exception cref="StoreFormatException">The format is newer than <see cref="FormatVersion"/>.</exception>
    public static void CheckFormat(int format, string what)
    {
        if (format > FormatVersion)
        {
            throw new StoreFormatException($"{what} was written by store format {format}; this Baton reads up to format {FormatVersion}: upgrade Baton to read it");
        }
    }
}
