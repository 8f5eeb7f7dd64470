using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Baton.Tests.Core;

/// <summary>One payload is shared by every branch that reads it: its cached JSON must be safe to read from many threads.</summary>
public sealed class PayloadConcurrencyTests
{
    private const int Threads = 8;
    private const int Rounds = 2000;

    [Fact]
    public void AsJson_from_many_threads_on_one_text_payload_gives_equal_valid_elements()
    {
        var text = "the same words " + new string('x', 64);
        var expected = JsonSerializer.Serialize(text);
        Hammer(() => Payload.FromText(text), element =>
        {
            Assert.Equal(JsonValueKind.String, element.ValueKind);
            Assert.Equal(text, element.GetString());
            Assert.Equal(expected, element.GetRawText());
        });
    }

    [Fact]
    public void AsJson_from_many_threads_on_one_json_payload_gives_equal_valid_elements()
    {
        const string json = """{"topic":"agents","scores":[1,2,3],"nested":{"ok":true}}""";
        Hammer(() => Payload.ParseJson(json), element =>
        {
            Assert.Equal(JsonValueKind.Object, element.ValueKind);
            Assert.Equal(json, element.GetRawText());
            Assert.True(element.GetProperty("nested").GetProperty("ok").GetBoolean());
        });
    }

    private static bool SameBytes(JsonElement a, JsonElement b) =>
        Unsafe.AreSame(ref MemoryMarshal.GetReference(JsonMarshal.GetRawUtf8Value(a)), ref MemoryMarshal.GetReference(JsonMarshal.GetRawUtf8Value(b)));

    /// <summary>
    /// Each round makes a fresh payload (so its cache is empty) and releases every thread at once
    /// through a barrier, so they race on the first parse and its publication.
    /// </summary>
    private static void Hammer(Func<Payload> make, Action<JsonElement> check)
    {
        var payloads = new Payload[Rounds];
        for (var i = 0; i < Rounds; i++) payloads[i] = make();
        var results = new JsonElement[Threads, Rounds];
        using var barrier = new Barrier(Threads);
        var workers = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(() =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                barrier.SignalAndWait();
                results[t, round] = payloads[round].AsJson();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        Task.WaitAll(workers);

        for (var round = 0; round < Rounds; round++)
        {
            var first = results[0, round].GetRawText();
            for (var t = 0; t < Threads; t++)
            {
                check(results[t, round]);
                Assert.Equal(first, results[t, round].GetRawText());
                // Not merely equal text: the one element that was published, backed by the same parsed bytes.
                Assert.True(SameBytes(results[0, round], results[t, round]), $"round {round}: thread {t} got an element of its own parse");
            }

            // Reading again gives the element that was published, not a new parse that differs.
            Assert.Equal(first, payloads[round].AsJson().GetRawText());
        }
    }
}
