using System.Text.Json;
using Baton.Storage;

namespace Baton.Storage.Tests.Packing;

/// <summary>The in-memory store's packed journal reads back every entry as written, whatever its values.</summary>
public sealed class PackedJournalTests
{
    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 500)]
    [InlineData(3, 40_000)]
    public void Random_journals_unpack_to_the_entries_packed(int seed, int count)
    {
        var random = new Random(seed);
        // Step ids and transitions come back as the same instances in a loop, and sometimes as equal copies: more
        // distinct ones than the packer remembers, so both its table and its literal path are taken.
        var names = Enumerable.Range(0, 12).Select(i => i % 4 == 0 ? $"ßtëp-{i}-{new string('x', 60)}" : $"step-{i}").ToArray();
        var time = new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
        var entries = new List<JournalEntry>();
        for (var i = 0; i < count; i++)
        {
            // Time mostly moves on, sometimes back (another clock), and the offset changes now and then.
            time = time.AddTicks(random.Next(-1_000, 50_000_000)).ToOffset(TimeSpan.FromMinutes(15 * random.Next(-2, 3)));
            string? Name() => random.Next(5) switch
            {
                0 => null,
                1 => new string(names[random.Next(names.Length)]), // an equal string that is another instance
                _ => names[random.Next(names.Length)],
            };

            entries.Add(new JournalEntry
            {
                Kind = (JournalEntryKind)random.Next(0, 8),
                Sequence = random.Next(10) == 0 ? random.NextInt64(0, long.MaxValue) : i + 1,
                Key = random.Next(3) == 0 ? null : $"{i}:{Name()}/ünïcødé",
                StepId = Name(),
                Payload = random.Next(4) switch
                {
                    0 => null,
                    1 => Payload.Empty,
                    2 => Payload.FromText(new string('é', random.Next(0, 300))),
                    _ => Payload.ParseJson($$"""{"n":{{random.Next()}},"s":"{{new string('a', random.Next(0, 200))}}"}"""),
                },
                Confidence = random.Next(3) == 0 ? random.NextDouble() : null,
                Next = Name(),
                Attempts = random.Next(3) == 0 ? random.Next(-1, 1000) : 0,
                Usage = random.Next(3) == 0 ? new Usage(random.NextInt64(), random.Next(), (decimal)random.NextDouble() * 100m) : default,
                StartedAt = random.Next(2) == 0 ? time.AddSeconds(-random.Next(0, 60)) : default,
                Timestamp = time,
                Error = random.Next(20) == 0 ? new StepError(ErrorKind.Transient, "rate limited", "step", Payload.FromText("partial")) { Code = "rate_limited" } : null,
                StateChanges = random.Next(20) == 0 ? [new StateChange("notes", Payload.FromText("✓"))] : null,
            });
        }

        var packed = PackedJournal.Pack(entries);
        var skip = count / 3;
        var read = packed.Unpack(skip);

        Assert.Equal(count, packed.Count);
        Assert.Equal(entries.Skip(skip).Select(Json), read.Select(Json));
        Assert.Equal(entries.Skip(skip).Select(e => e.Timestamp.Offset), read.Select(e => e.Timestamp.Offset));
        Assert.Equal(entries.Skip(skip).Select(e => e.StartedAt.Offset), read.Select(e => e.StartedAt.Offset));
    }

    [Fact]
    public void A_loop_journal_packs_small()
    {
        // A loop writes the same step ids and transitions entry after entry, a few milliseconds apart.
        var time = DateTimeOffset.UnixEpoch;
        string[] steps = ["count", "check"];
        var entries = Enumerable.Range(0, 2_000).Select(i => new JournalEntry
        {
            Kind = JournalEntryKind.StepCompleted,
            Sequence = i + 1,
            Key = $"{i}:{steps[i % 2]}",
            StepId = steps[i % 2],
            Payload = Payload.ParseJson((i / 2).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Next = steps[(i + 1) % 2],
            Attempts = 1,
            StartedAt = time.AddMilliseconds(i),
            Timestamp = time.AddMilliseconds(i + 0.5),
        }).ToList();

        var packed = PackedJournal.Pack(entries);

        Assert.Equal(entries.Select(Json), packed.Unpack().Select(Json));
        // Flags, kind, sequence, key, two table places, payload, attempts and two short time deltas: well under 32 bytes.
        Assert.InRange(packed.Size / 2_000.0, 10, 32);
    }

    private static string Json(JournalEntry entry) => JsonSerializer.Serialize(entry, StoreJsonContext.Default.JournalEntry);
}
