using System.Text.Json;

namespace Baton.Storage;

/// <summary>
/// A finished run's journal packed into one byte array, for <see cref="InMemoryRunStore"/>. A kept journal of entry
/// objects is thousands of small objects per run that every full collection of the garbage collector marks again
/// (a 1,000-iteration loop is 2,000 entries, and a store keeps hundreds of finished runs); packed, it is one array with
/// no references. Reading unpacks a copy, value for value.
/// </summary>
internal sealed class PackedJournal
{
    // Which of an entry's fields follow its kind and sequence; absent fields keep their defaults.
    private const int HasKey = 1;
    private const int HasStepId = 2;
    private const int HasPayload = 4;
    private const int HasConfidence = 8;
    private const int HasNext = 16;
    private const int HasAttempts = 32;
    private const int HasUsage = 64;
    private const int HasStartedAt = 128;
    private const int HasRest = 256;

    private const byte EmptyPayload = 0;
    private const byte TextPayload = 1;
    private const byte JsonPayload = 2;

    private readonly byte[] _data;

    private PackedJournal(byte[] data, int count)
    {
        _data = data;
        Count = count;
    }

    /// <summary>How many entries the journal holds.</summary>
    public int Count { get; }

    /// <summary>Packs <paramref name="entries"/> (a finished run's whole journal).</summary>
    public static PackedJournal Pack(IReadOnlyList<JournalEntry> entries)
    {
        using var stream = new MemoryStream(entries.Count * 48);
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            foreach (var entry in entries) Write(writer, entry);
        }

        return new PackedJournal(stream.ToArray(), entries.Count);
    }

    /// <summary>The entries after the first <paramref name="skip"/>, as new objects equal to those packed.</summary>
    public JournalEntry[] Unpack(int skip = 0)
    {
        var entries = new JournalEntry[Math.Max(0, Count - skip)];
        using var reader = new BinaryReader(new MemoryStream(_data, writable: false), System.Text.Encoding.UTF8);
        for (var i = 0; i < Count; i++)
        {
            var entry = Read(reader);
            if (i >= skip) entries[i - skip] = entry;
        }

        return entries;
    }

    private static void Write(BinaryWriter writer, JournalEntry entry)
    {
        var rest = entry.Error is not null || entry.StateChanges is not null || entry.Messages is not null || entry.Received is not null;
        var flags = (entry.Key is not null ? HasKey : 0)
            | (entry.StepId is not null ? HasStepId : 0)
            | (entry.Payload is not null ? HasPayload : 0)
            | (entry.Confidence is not null ? HasConfidence : 0)
            | (entry.Next is not null ? HasNext : 0)
            | (entry.Attempts != 0 ? HasAttempts : 0)
            | (entry.Usage != default ? HasUsage : 0)
            | (entry.StartedAt != default ? HasStartedAt : 0)
            | (rest ? HasRest : 0);
        writer.Write7BitEncodedInt(flags);
        writer.Write7BitEncodedInt((int)entry.Kind);
        writer.Write7BitEncodedInt64(entry.Sequence);
        if (entry.Key is { } key) writer.Write(key);
        if (entry.StepId is { } stepId) writer.Write(stepId);
        if (entry.Payload is { } payload) WritePayload(writer, payload);
        if (entry.Confidence is { } confidence) writer.Write(confidence);
        if (entry.Next is { } next) writer.Write(next);
        if (entry.Attempts != 0) writer.Write7BitEncodedInt(entry.Attempts);
        if (entry.Usage != default)
        {
            writer.Write(entry.Usage.InputTokens);
            writer.Write(entry.Usage.OutputTokens);
            writer.Write(entry.Usage.Cost);
        }

        if (entry.StartedAt != default) WriteTime(writer, entry.StartedAt);
        WriteTime(writer, entry.Timestamp);
        if (rest)
        {
            // Errors, state changes, messages and receipts are rarer and richer: they go as the durable stores write them.
            var json = JsonSerializer.SerializeToUtf8Bytes(
                new JournalEntry { Kind = entry.Kind, Error = entry.Error, StateChanges = entry.StateChanges, Messages = entry.Messages, Received = entry.Received },
                StoreJsonContext.Default.JournalEntry);
            writer.Write7BitEncodedInt(json.Length);
            writer.Write(json);
        }
    }

    private static JournalEntry Read(BinaryReader reader)
    {
        var flags = reader.Read7BitEncodedInt();
        var kind = (JournalEntryKind)reader.Read7BitEncodedInt();
        var sequence = reader.Read7BitEncodedInt64();
        var key = (flags & HasKey) != 0 ? reader.ReadString() : null;
        var stepId = (flags & HasStepId) != 0 ? reader.ReadString() : null;
        var payload = (flags & HasPayload) != 0 ? ReadPayload(reader) : null;
        double? confidence = (flags & HasConfidence) != 0 ? reader.ReadDouble() : null;
        var next = (flags & HasNext) != 0 ? reader.ReadString() : null;
        var attempts = (flags & HasAttempts) != 0 ? reader.Read7BitEncodedInt() : 0;
        var usage = (flags & HasUsage) != 0 ? new Usage(reader.ReadInt64(), reader.ReadInt64(), reader.ReadDecimal()) : default;
        var startedAt = (flags & HasStartedAt) != 0 ? ReadTime(reader) : default;
        var timestamp = ReadTime(reader);
        var entry = new JournalEntry
        {
            Kind = kind,
            Sequence = sequence,
            Key = key,
            StepId = stepId,
            Payload = payload,
            Confidence = confidence,
            Next = next,
            Attempts = attempts,
            Usage = usage,
            StartedAt = startedAt,
            Timestamp = timestamp,
        };
        if ((flags & HasRest) == 0) return entry;
        var rest = JsonSerializer.Deserialize(reader.ReadBytes(reader.Read7BitEncodedInt()), StoreJsonContext.Default.JournalEntry)!;
        return entry with { Error = rest.Error, StateChanges = rest.StateChanges, Messages = rest.Messages, Received = rest.Received };
    }

    private static void WritePayload(BinaryWriter writer, Payload payload)
    {
        switch (payload.Kind)
        {
            case PayloadKind.Text:
                writer.Write(TextPayload);
                writer.Write(payload.AsText());
                break;
            case PayloadKind.Json:
                writer.Write(JsonPayload);
                writer.Write7BitEncodedInt(payload.Utf8Json.Length);
                writer.Write(payload.Utf8Json);
                break;
            default:
                writer.Write(EmptyPayload);
                break;
        }
    }

    private static Payload ReadPayload(BinaryReader reader) => reader.ReadByte() switch
    {
        TextPayload => Payload.FromText(reader.ReadString()),
        JsonPayload => Payload.FromTrustedUtf8Json(reader.ReadBytes(reader.Read7BitEncodedInt())),
        _ => Payload.Empty,
    };

    private static void WriteTime(BinaryWriter writer, DateTimeOffset time)
    {
        writer.Write(time.Ticks);
        writer.Write((short)time.Offset.TotalMinutes);
    }

    private static DateTimeOffset ReadTime(BinaryReader reader)
    {
        var ticks = reader.ReadInt64();
        return new DateTimeOffset(ticks, TimeSpan.FromMinutes(reader.ReadInt16()));
    }
}
