using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Baton.Storage;

/// <summary>
/// A finished run's journal packed into one byte array, for <see cref="InMemoryRunStore"/>. A kept journal of entry
/// objects is thousands of small objects per run that every full collection of the garbage collector marks again
/// (a 1,000-iteration loop is 2,000 entries, and a store keeps hundreds of finished runs); packed, it is one array with
/// no references. Reading unpacks a copy, value for value.
/// </summary>
/// <remarks>
/// Packing is paid once per run, in the run's last store call, so it is written for speed: one reused buffer per
/// thread, strings encoded straight into it, sequences and times as small deltas from the entry before, and a step's
/// id and transition (the same few strings again and again in a loop) written once and then by their place in a small
/// table.
/// </remarks>
internal sealed class PackedJournal
{
    // Which of an entry's fields follow its kind; absent fields keep their defaults.
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

    // How many recent step ids (and, apart, transitions) a packed journal refers to by place instead of repeating.
    private const int RecentStrings = 8;

    [ThreadStatic]
    private static byte[]? t_buffer;

    private readonly byte[] _data;

    private PackedJournal(byte[] data, int count)
    {
        _data = data;
        Count = count;
    }

    /// <summary>How many entries the journal holds.</summary>
    public int Count { get; }

    /// <summary>How many bytes the packed journal takes.</summary>
    public int Size => _data.Length;

    /// <summary>Packs <paramref name="entries"/> (a finished run's whole journal).</summary>
    public static PackedJournal Pack(IReadOnlyList<JournalEntry> entries)
    {
        var writer = new Writer(t_buffer ?? new byte[16 * 1024]);
        var state = new Recent();
        for (var i = 0; i < entries.Count; i++) Write(ref writer, ref state, entries[i]);
        var data = writer.Written.ToArray();
        // Keep the grown buffer for the next journal, unless one huge journal would pin a large array for good.
        t_buffer = writer.Buffer.Length <= 1024 * 1024 ? writer.Buffer : null;
        return new PackedJournal(data, entries.Count);
    }

    /// <summary>The entries after the first <paramref name="skip"/>, as new objects equal to those packed.</summary>
    public JournalEntry[] Unpack(int skip = 0)
    {
        var entries = new JournalEntry[Math.Max(0, Count - skip)];
        var reader = new Reader(_data);
        var state = new Recent();
        for (var i = 0; i < Count; i++)
        {
            var entry = Read(ref reader, ref state);
            if (i >= skip) entries[i - skip] = entry;
        }

        return entries;
    }

    private static void Write(ref Writer writer, ref Recent recent, JournalEntry entry)
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
        writer.WriteVarint((ulong)flags);
        writer.WriteVarint((ulong)(int)entry.Kind);
        writer.WriteSigned(entry.Sequence - recent.Sequence);
        recent.Sequence = entry.Sequence;
        if (entry.Key is { } key) writer.WriteString(key);
        if (entry.StepId is { } stepId) WriteRecent(ref writer, ref recent.StepIds, stepId);
        if (entry.Payload is { } payload) WritePayload(ref writer, payload);
        if (entry.Confidence is { } confidence) writer.WriteDouble(confidence);
        if (entry.Next is { } next) WriteRecent(ref writer, ref recent.Nexts, next);
        if (entry.Attempts != 0) writer.WriteSigned(entry.Attempts);
        if (entry.Usage != default)
        {
            writer.WriteSigned(entry.Usage.InputTokens);
            writer.WriteSigned(entry.Usage.OutputTokens);
            writer.WriteDecimal(entry.Usage.Cost);
        }

        if (entry.StartedAt != default) WriteTime(ref writer, ref recent, entry.StartedAt);
        WriteTime(ref writer, ref recent, entry.Timestamp);
        if (rest)
        {
            // Errors, state changes, messages and receipts are rarer and richer: they go as the durable stores write them.
            var json = JsonSerializer.SerializeToUtf8Bytes(
                new JournalEntry { Kind = entry.Kind, Error = entry.Error, StateChanges = entry.StateChanges, Messages = entry.Messages, Received = entry.Received },
                StoreJsonContext.Default.JournalEntry);
            writer.WriteBytes(json);
        }
    }

    private static JournalEntry Read(ref Reader reader, ref Recent recent)
    {
        var flags = (int)reader.ReadVarint();
        var kind = (JournalEntryKind)(int)reader.ReadVarint();
        var sequence = recent.Sequence += reader.ReadSigned();
        var key = (flags & HasKey) != 0 ? reader.ReadString() : null;
        var stepId = (flags & HasStepId) != 0 ? ReadRecent(ref reader, ref recent.StepIds) : null;
        var payload = (flags & HasPayload) != 0 ? ReadPayload(ref reader) : null;
        double? confidence = (flags & HasConfidence) != 0 ? reader.ReadDouble() : null;
        var next = (flags & HasNext) != 0 ? ReadRecent(ref reader, ref recent.Nexts) : null;
        var attempts = (flags & HasAttempts) != 0 ? (int)reader.ReadSigned() : 0;
        var usage = (flags & HasUsage) != 0 ? new Usage(reader.ReadSigned(), reader.ReadSigned(), reader.ReadDecimal()) : default;
        var startedAt = (flags & HasStartedAt) != 0 ? ReadTime(ref reader, ref recent) : default;
        var timestamp = ReadTime(ref reader, ref recent);
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
        var rest = JsonSerializer.Deserialize(reader.ReadBytes(), StoreJsonContext.Default.JournalEntry)!;
        return entry with { Error = rest.Error, StateChanges = rest.StateChanges, Messages = rest.Messages, Received = rest.Received };
    }

    // A string seen in the last few entries is written as its place in the table (1-based); a new one as 0 and its
    // text. Compared by reference: a step's id and transitions are the same instances entry after entry, and an equal
    // string that is another instance is only written out again, never confused.
    private static void WriteRecent(ref Writer writer, ref RecentTable table, string value)
    {
        var slot = table.IndexOf(value);
        if (slot >= 0)
        {
            writer.WriteVarint((ulong)slot + 1);
            return;
        }

        writer.WriteVarint(0);
        writer.WriteString(value);
        table.Add(value);
    }

    private static string ReadRecent(ref Reader reader, ref RecentTable table)
    {
        var slot = (int)reader.ReadVarint();
        if (slot > 0) return table[slot - 1];
        var value = reader.ReadString();
        table.Add(value);
        return value;
    }

    private static void WritePayload(ref Writer writer, Payload payload)
    {
        switch (payload.Kind)
        {
            case PayloadKind.Text:
                writer.WriteByte(TextPayload);
                writer.WriteString(payload.AsText());
                break;
            case PayloadKind.Json:
                writer.WriteByte(JsonPayload);
                writer.WriteBytes(payload.Utf8Json);
                break;
            default:
                writer.WriteByte(EmptyPayload);
                break;
        }
    }

    private static Payload ReadPayload(ref Reader reader) => reader.ReadByte() switch
    {
        TextPayload => Payload.FromText(reader.ReadString()),
        JsonPayload => Payload.FromTrustedUtf8Json(reader.ReadBytes().ToArray()),
        _ => Payload.Empty,
    };

    // A time is its clock ticks less the last time written (entries follow each other closely, so a few bytes), and
    // its offset from UTC in minutes, zero-cost when it does not change.
    private static void WriteTime(ref Writer writer, ref Recent recent, DateTimeOffset time)
    {
        writer.WriteSigned(time.Ticks - recent.Ticks);
        var offset = (long)time.Offset.TotalMinutes;
        writer.WriteSigned(offset - recent.OffsetMinutes);
        recent.Ticks = time.Ticks;
        recent.OffsetMinutes = offset;
    }

    private static DateTimeOffset ReadTime(ref Reader reader, ref Recent recent)
    {
        recent.Ticks += reader.ReadSigned();
        recent.OffsetMinutes += reader.ReadSigned();
        return new DateTimeOffset(recent.Ticks, TimeSpan.FromMinutes(recent.OffsetMinutes));
    }

    /// <summary>What each entry is written relative to: the entry before's sequence and time, and the recent strings.</summary>
    private struct Recent
    {
        public long Sequence;
        public long Ticks;
        public long OffsetMinutes;
        public RecentTable StepIds;
        public RecentTable Nexts;
    }

    /// <summary>The last <see cref="RecentStrings"/> distinct strings of one field, replaced oldest first.</summary>
    [System.Runtime.CompilerServices.InlineArray(RecentStrings)]
    private struct RecentStringArray
    {
        private string _first;
    }

    private struct RecentTable
    {
        private RecentStringArray _values;
        private int _count;
        private int _nextSlot;

        public readonly string this[int slot] => slot < _count ? _values[slot] : throw Corrupt();

        public readonly int IndexOf(string value)
        {
            for (var i = 0; i < _count; i++)
            {
                if (ReferenceEquals(_values[i], value)) return i;
            }

            return -1;
        }

        public void Add(string value)
        {
            _values[_nextSlot] = value;
            _nextSlot = (_nextSlot + 1) % RecentStrings;
            if (_count < RecentStrings) _count++;
        }
    }

    private static InvalidDataException Corrupt() => new("a packed journal is damaged");

    /// <summary>Appends to a byte array that grows by doubling.</summary>
    private ref struct Writer(byte[] buffer)
    {
        private int _position;

        public byte[] Buffer { get; private set; } = buffer;

        public readonly ReadOnlySpan<byte> Written => Buffer.AsSpan(0, _position);

        private Span<byte> Reserve(int size)
        {
            if (Buffer.Length - _position < size)
            {
                var grown = new byte[Math.Max(Buffer.Length * 2, _position + size)];
                Buffer.AsSpan(0, _position).CopyTo(grown);
                Buffer = grown;
            }

            return Buffer.AsSpan(_position);
        }

        public void WriteByte(byte value)
        {
            Reserve(1)[0] = value;
            _position++;
        }

        public void WriteVarint(ulong value)
        {
            var span = Reserve(10);
            var i = 0;
            while (value >= 0x80)
            {
                span[i++] = (byte)(value | 0x80);
                value >>= 7;
            }

            span[i++] = (byte)value;
            _position += i;
        }

        // Zig-zag: small negative and positive numbers both take few bytes.
        public void WriteSigned(long value) => WriteVarint((ulong)((value << 1) ^ (value >> 63)));

        public void WriteDouble(double value)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);
            _position += 8;
        }

        public void WriteDecimal(decimal value)
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(value, bits);
            var span = Reserve(16);
            for (var i = 0; i < 4; i++) BinaryPrimitives.WriteInt32LittleEndian(span[(i * 4)..], bits[i]);
            _position += 16;
        }

        public void WriteBytes(ReadOnlySpan<byte> bytes)
        {
            WriteVarint((ulong)bytes.Length);
            bytes.CopyTo(Reserve(bytes.Length));
            _position += bytes.Length;
        }

        public void WriteString(string value)
        {
            // A string short enough that its UTF-8 cannot reach 128 bytes has a one-byte length: encode it in place
            // without counting first.
            if (value.Length <= 42)
            {
                var span = Reserve(1 + (value.Length * 3));
                var length = Encoding.UTF8.GetBytes(value, span[1..]);
                span[0] = (byte)length;
                _position += 1 + length;
                return;
            }

            var count = Encoding.UTF8.GetByteCount(value);
            WriteVarint((ulong)count);
            _position += Encoding.UTF8.GetBytes(value, Reserve(count));
        }
    }

    /// <summary>Reads what <see cref="Writer"/> wrote, in the same order.</summary>
    private ref struct Reader(byte[] data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        private ReadOnlySpan<byte> Take(int size)
        {
            if ((uint)size > (uint)(_data.Length - _position)) throw Corrupt();
            var span = _data.Slice(_position, size);
            _position += size;
            return span;
        }

        public byte ReadByte() => Take(1)[0];

        public ulong ReadVarint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = ReadByte();
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return value;
            }

            throw Corrupt();
        }

        public long ReadSigned()
        {
            var value = ReadVarint();
            return (long)(value >> 1) ^ -(long)(value & 1);
        }

        public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

        public decimal ReadDecimal()
        {
            var span = Take(16);
            Span<int> bits = stackalloc int[4];
            for (var i = 0; i < 4; i++) bits[i] = BinaryPrimitives.ReadInt32LittleEndian(span[(i * 4)..]);
            return new decimal(bits);
        }

        public ReadOnlySpan<byte> ReadBytes() => Take(checked((int)ReadVarint()));

        public string ReadString() => Encoding.UTF8.GetString(ReadBytes());
    }
}
