namespace Baton.Tests.Events;

public sealed class TopicPatternTests
{
    [Theory]
    [InlineData("*", "email.received", true)]
    [InlineData("*", "x", true)]
    [InlineData("email.*", "email.received", true)]
    [InlineData("email.*", "email.received.urgent", true)]
    [InlineData("email.*", "email", false)]
    [InlineData("email.*", "calendar.request", false)]
    [InlineData("email.*", "emails.received", false)]
    [InlineData("a.*.c", "a.b.c", true)]
    [InlineData("a.*.c", "a.b.d", false)]
    [InlineData("a.*.c", "a.b.b.c", false)]
    [InlineData("email.received", "email.received", true)]
    [InlineData("email.received", "email.received.x", false)]
    public void Matches_exact_names_and_wildcards(string pattern, string topic, bool matches) =>
        Assert.Equal(matches, TopicPattern.Matches(pattern, topic));

    [Theory]
    [InlineData("email..x")]
    [InlineData("email.re*")]
    [InlineData("")]
    public void Rejects_malformed_patterns(string pattern) =>
        Assert.ThrowsAny<ArgumentException>(() => TopicPattern.Validate(pattern));
}
