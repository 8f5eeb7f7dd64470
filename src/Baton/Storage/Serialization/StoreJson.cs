using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
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
        if (format < 1)
        {
            throw new StoreFormatException($"{what} says store format {format}, which no Baton writes (formats start at 1): the row is damaged and cannot be read");
        }

        if (format > FormatVersion)
        {
            throw new StoreFormatException($"{what} was written by store format {format}; this Baton reads up to format {FormatVersion}: upgrade Baton to read it");
        }
    }

    /// <summary>
    /// An entry's UTF-8 JSON with every payload larger than <paramref name="blobThreshold"/> bytes (output, state
    /// values, message payloads) moved out: replaced by its SHA-256 and returned to be stored once by content. The
    /// paths of the moved values (a JSON array, null when none) go with the entry, so only they are resolved on read
    /// and a user's own data can never be mistaken for a reference.
    /// </summary>
    public static StoredEntry Write(JournalEntry entry, int blobThreshold)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var large = entry.Payload?.SizeInBytes > blobThreshold
            || entry.StateChanges?.Any(c => c.Value.SizeInBytes > blobThreshold) == true
            || entry.Messages?.Any(m => m.Payload.SizeInBytes > blobThreshold) == true;
        if (!large) return new StoredEntry(Seal(JsonSerializer.SerializeToUtf8Bytes(entry, StoreJsonContext.Default.JournalEntry), null), null, []);
        var node = ToNode(entry);
        var blobs = new List<(string Hash, byte[] Data)>();
        var paths = new JsonArray();
        void Extract(JsonNode? parent, string key, string path)
        {
            if (parent?[key] is not { } value) return;
            var data = Encoding.UTF8.GetBytes(value.ToJsonString());
            if (data.Length <= blobThreshold) return;
            var hash = Convert.ToHexString(SHA256.HashData(data));
            blobs.Add((hash, data));
            parent[key] = hash;
            paths.Add(path);
        }

        Extract(node, "payload", "payload");
        if (node["stateChanges"] is JsonArray changes)
        {
            for (var i = 0; i < changes.Count; i++) Extract(changes[i], "value", $"stateChanges.{i}.value");
        }

        if (node["messages"] is JsonArray messages)
        {
            for (var i = 0; i < messages.Count; i++) Extract(messages[i], "payload", $"messages.{i}.payload");
        }

        var blobPaths = paths.Count == 0 ? null : paths.ToJsonString();
        return new StoredEntry(Seal(Encoding.UTF8.GetBytes(node.ToJsonString()), blobPaths), blobPaths, blobs);
    }

    /// <summary>
    /// The entry's JSON followed by a newline and a checksum of it and its blob paths (32 hex digits: their XxHash128).
    /// Compact JSON never holds a raw newline, so the last one starts the checksum.
    /// </summary>
    private static byte[] Seal(byte[] json, string? blobPaths)
    {
        var body = new byte[json.Length + 1 + ChecksumLength];
        json.CopyTo(body, 0);
        body[json.Length] = (byte)'\n';
        WriteChecksum(json, blobPaths, body.AsSpan(json.Length + 1));
        return body;
    }

    // The checksum only detects damage, so a non-cryptographic hash does: SHA-256 would load System.Security.Cryptography
    // and OpenSSL into every `baton run` (docs/cli.md, "Start-up time").
    private const int ChecksumLength = 32;

    // Rows written before XxHash128 carry 16 hex digits, the first 8 bytes of the SHA-256; they still verify.
    private const int LegacyChecksumLength = 16;

    private static void WriteChecksum(ReadOnlySpan<byte> json, string? blobPaths, Span<byte> destination)
    {
        var hash = new XxHash128();
        hash.Append(json);
        if (blobPaths is not null)
        {
            hash.Append([0]);
            hash.Append(Encoding.UTF8.GetBytes(blobPaths));
        }

        Span<byte> value = stackalloc byte[ChecksumLength / 2];
        hash.GetCurrentHash(value);
        Convert.TryToHexStringLower(value, destination, out _);
    }

    private static void WriteLegacyChecksum(ReadOnlySpan<byte> json, string? blobPaths, Span<byte> destination)
    {
        Span<byte> hash = stackalloc byte[32];
        if (blobPaths is null)
        {
            SHA256.HashData(json, hash);
        }
        else
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(json);
            sha.AppendData([0]);
            sha.AppendData(Encoding.UTF8.GetBytes(blobPaths));
            sha.GetHashAndReset(hash);
        }

        Convert.TryToHexStringLower(hash[..(LegacyChecksumLength / 2)], destination, out _);
    }

    /// <summary>
    /// The JSON of a stored body: checked against its checksum when it has one (rows written before checksums have
    /// none and are read as they are), so damage that leaves valid JSON (a flipped bit in an output) is refused. The
    /// checksum's length tells which hash wrote it.
    /// </summary>
    private static ReadOnlySpan<byte> Unseal(byte[] body, string? blobPaths, string where)
    {
        var newline = body.AsSpan().LastIndexOf((byte)'\n');
        if (newline < 0) return body;
        var json = body.AsSpan(0, newline);
        var stored = body.AsSpan(newline + 1);
        Span<byte> expected = stackalloc byte[ChecksumLength];
        if (stored.Length == LegacyChecksumLength)
        {
            expected = expected[..LegacyChecksumLength];
            WriteLegacyChecksum(json, blobPaths, expected);
        }
        else
        {
            WriteChecksum(json, blobPaths, expected);
        }

        if (!stored.SequenceEqual(expected)) throw new StoreFormatException($"{where} is damaged: its checksum does not match what it holds");
        return json;
    }

    /// <summary>Reads an entry written by <see cref="Write(JournalEntry, int)"/>, loading moved payloads with <paramref name="blob"/>.</summary>
    /// <exception cref="StoreFormatException">The entry or a blob it refers to is damaged or missing.</exception>
    public static JournalEntry Read(byte[] body, string? blobPaths, Func<string, byte[]?> blob, string where)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(blob);
        var json = Unseal(body, blobPaths, where);
        if (blobPaths is null) return ReadEntry(json, where);
        JsonNode node;
        try
        {
            node = JsonNode.Parse(json) ?? throw new JsonException("null entry");
        }
        catch (JsonException ex)
        {
            throw new StoreFormatException($"{where} is damaged and cannot be read: {ex.Message}", ex);
        }

        string[] paths;
        try
        {
            paths = [.. (JsonNode.Parse(blobPaths) ?? throw new JsonException("null blob paths")).AsArray().Select(p => p!.GetValue<string>())];
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new StoreFormatException($"{where} is damaged and cannot be read: its blob paths are not a list of paths ({ex.Message})", ex);
        }

        foreach (var path in paths)
        {
            var parts = path.Split('.');
            JsonNode? parent = node;
            for (var i = 0; i < parts.Length - 1; i++) parent = int.TryParse(parts[i], out var index) ? parent?[index] : parent?[parts[i]];
            var key = parts[^1];
            try
            {
                var hash = parent?[key]?.GetValue<string>() ?? throw new StoreFormatException($"{where} refers to a blob at '{path}' that it does not hold");
                var data = blob(hash) ?? throw new StoreFormatException($"{where} refers to blob {hash}, which is missing");
                // Blobs are stored by their content's hash: content that no longer has it was damaged.
                if (!string.Equals(Convert.ToHexString(SHA256.HashData(data)), hash, StringComparison.OrdinalIgnoreCase)) throw new StoreFormatException($"{where} refers to blob {hash}, whose content is damaged");
                parent![key] = JsonNode.Parse(data);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                throw new StoreFormatException($"{where} is damaged and cannot be read: its payload at '{path}' ({ex.Message})", ex);
            }
        }

        return ReadEntry(node, where);
    }
}

/// <summary>A journal entry as a store writes it: its JSON, the paths of payloads moved to blobs, and those blobs.</summary>
/// <param name="Body">The entry's UTF-8 JSON, then a newline and its checksum.</param>
/// <param name="BlobPaths">A JSON array of the moved payloads' paths, or null.</param>
/// <param name="Blobs">The moved payloads by SHA-256.</param>
public sealed record StoredEntry(byte[] Body, string? BlobPaths, IReadOnlyList<(string Hash, byte[] Data)> Blobs);
