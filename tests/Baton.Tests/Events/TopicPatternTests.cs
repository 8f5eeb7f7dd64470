using CsCheck;

namespace Baton.Tests.Events;

public sealed class TopicPatternTests
{
    [Theory]
    [InlineData("*", "email")]
    [InlineData("*", "email.received.urgent")]
    [InlineData("email.received", "email.received")]
    [InlineData("email.*", "email.received")]
    [InlineData("email.*", "email.received.urgent")]
    [InlineData("a.*.c", "a.b.c")]
    [InlineData("a.*.c", "a.anything.c")]
    [InlineData("*.received", "sms.received")]
    public void A_pattern_matches(string pattern, string topic) => Assert.True(TopicPattern.Matches(pattern, topic));

    [Theory]
    [InlineData("email.*", "email")]
    [InlineData("email.*", "emails.received")]
    [InlineData("email.*", "sms.received")]
    [InlineData("a.*.c", "a.b.d")]
    [InlineData("a.*.c", "a.c")]
    [InlineData("a.*.c", "a.b.x.c")]
    [InlineData("a.*.c", "a.b.c.d")]
    [InlineData("email.received", "email")]
    [InlineData("email.received", "email.received.urgent")]
    [InlineData("email.received", "Email.Received")]
    [InlineData("*.received", "received")]
    public void A_pattern_does_not_match(string pattern, string topic) => Assert.False(TopicPattern.Matches(pattern, topic));

    [Fact]
    public void Wildcards_match_by_whole_segments_for_any_topic()
    {
        var segment = Gen.Char['a', 'c'].Array[1, 3].Select(chars => new string(chars));
        segment.Array[1, 5].Sample(segments =>
        {
            var topic = string.Join('.', segments);
            Assert.True(TopicPattern.Matches("*", topic));
            Assert.True(TopicPattern.Matches(topic, topic));
            for (var i = 0; i < segments.Length; i++)
            {
                // Any one segment replaced by '*' still matches; as the last segment it also matches longer topics.
                var pattern = string.Join('.', segments.Select((s, j) => j == i ? "*" : s));
                Assert.True(TopicPattern.Matches(pattern, topic));
                Assert.Equal(i == segments.Length - 1, TopicPattern.Matches(pattern, topic + ".more"));
            }

            Assert.True(TopicPattern.Matches(segments[0] + ".*", topic) == segments.Length > 1);
        });
    }

    [Theory]
    [InlineData("", "cannot be empty")]
    [InlineData("  ", "cannot be empty")]
    [InlineData("email.", "empty segment")]
    [InlineData(".email", "empty segment")]
    [InlineData("email..received", "empty segment")]
    [InlineData("email.rec*", "must stand alone")]
    [InlineData("**", "must stand alone")]
    [InlineData("email.*x", "must stand alone")]
    public async Task A_malformed_pattern_is_rejected_when_subscribing(string pattern, string reason)
    {
        var validation = Assert.ThrowsAny<ArgumentException>(() => TopicPattern.Validate(pattern));
        Assert.Contains(reason, validation.Message, StringComparison.OrdinalIgnoreCase);

        await using var runtime = new BatonRuntime();
        var subscribe = Assert.ThrowsAny<ArgumentException>(() => runtime.Events.Subscribe(pattern, "inbox", (_, _) => default));
        Assert.Contains(reason, subscribe.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(runtime.Events.Subscriptions);
    }

    [Theory]
    [InlineData("email.*")]
    [InlineData("*")]
    [InlineData("email..received")]
    [InlineData("")]
    public async Task Events_are_published_on_one_exact_well_formed_topic(string topic)
    {
        await using var runtime = new BatonRuntime();

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await runtime.Events.PublishAsync(topic, "hello"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await runtime.Events.PublishAsync(new Message { Topic = topic }));
    }

    [Fact]
    public async Task A_message_without_a_topic_cannot_be_published()
    {
        await using var runtime = new BatonRuntime();

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await runtime.Events.PublishAsync(new Message { Recipient = "triage" }));

        Assert.Contains("needs a topic", error.Message, StringComparison.Ordinal);
    }
}
