using System.Text.Json;

namespace Baton.Tests.Core;

public sealed class PayloadTests
{
    private sealed record Finding(string Topic, double Confidence);

    [Fact]
    public void Text_and_json_round_trip_through_system_text_json()
    {
        Payload[] payloads = [Payload.Empty, Payload.FromText("hello \"world\""), Payload.From(new Finding("agents", 0.8)), Payload.ParseJson("[1,2,{\"a\":null}]"), Payload.ParseJson("42")];
        foreach (var payload in payloads)
        {
            var json = JsonSerializer.Serialize(payload);
            Assert.Equal(payload, JsonSerializer.Deserialize<Payload>(json));
        }

        Assert.Equal("null", JsonSerializer.Serialize(Payload.Empty));
        Assert.Equal("\"hi\"", JsonSerializer.Serialize(Payload.FromText("hi")));
    }

    [Fact]
    public void A_json_string_is_text()
    {
        Assert.Equal(PayloadKind.Text, Payload.ParseJson("\"x\"").Kind);
        Assert.Equal(PayloadKind.Text, Payload.From("x").Kind);
        Assert.Equal(PayloadKind.Empty, Payload.ParseJson("null").Kind);
        Assert.Equal(PayloadKind.Json, Payload.From(new[] { 1 }).Kind);
    }

    [Fact]
    public void Get_binds_json_and_text_that_holds_json()
    {
        Assert.Equal(new Finding("agents", 0.8), Payload.From(new Finding("agents", 0.8)).Get<Finding>());
        Assert.Equal(new Finding("x", 1), Payload.FromText("""{"topic":"x","confidence":1}""").Get<Finding>());
        Assert.Equal("plain", Payload.FromText("plain").Get<string>());
        Assert.Equal(3, Payload.FromText("3").Get<int>());
        Assert.Throws<JsonException>(() => Payload.FromText("not json").Get<Finding>());
    }

    [Fact]
    public void Equality_and_size_follow_the_stored_form()
    {
        Assert.Equal(Payload.ParseJson("{\"a\":1}"), Payload.From(new { a = 1 }));
        Assert.NotEqual(Payload.FromText("1"), Payload.ParseJson("1"));
        Assert.Equal(7, Payload.ParseJson("{\"a\":1}").SizeInBytes);
        Assert.True(Payload.FromText("é").SizeInBytes >= 2);
    }
}
