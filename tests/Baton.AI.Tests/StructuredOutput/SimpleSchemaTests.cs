using System.Text.Json;
using System.Text.Json.Nodes;
using Baton.AI;

namespace Baton.AI.Tests.StructuredOutput;

/// <summary>
/// Plain output schemas are checked without NJsonSchema when a reply plainly passes; each gives exactly what NJsonSchema
/// gives, checked against the same schema with a <c>$comment</c>, which only NJsonSchema reads.
/// </summary>
public sealed class SimpleSchemaTests
{
    public static TheoryData<string> Schemas =>
    [
        """{"type":"object","properties":{"analysis":{"type":"string"},"confidence":{"type":"number"}},"required":["analysis","confidence"]}""",
        """{"type":"object","properties":{"n":{"type":"integer"},"ok":{"type":"boolean"},"none":{"type":"null"}},"additionalProperties":false}""",
        """{"type":"object","properties":{"items":{"type":"array","items":{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}}},"required":["items"],"title":"t","description":"d"}""",
        """{"type":"array","items":{"type":"string"}}""",
        """{"type":"object","properties":{"anything":{},"list":{"type":"array"}},"required":["anything"]}""",
        """{"type":"string"}""",
        """{"type":"integer"}""",
        """{}""",
    ];

    private static readonly string[] Replies =
    [
        """{"analysis":"Adoption is rising.","confidence":0.9}""",
        """{"analysis":"x","confidence":1}""",
        """{"analysis":"x"}""",
        """{"analysis":null,"confidence":1}""",
        """{"analysis":3,"confidence":"high"}""",
        """{"analysis":"2026-12-02T10:00:00Z","confidence":1e3}""",
        """{"analysis":"x","confidence":0.5,"extra":true}""",
        """{"n":3,"ok":false,"none":null}""",
        """{"n":3.0,"ok":"false","none":1}""",
        """{"n":-1234567890123456789,"ok":true}""",
        """{"n":1E2}""",
        """{"items":[{"id":1},{"id":2}]}""",
        """{"items":[{"id":1},{"name":"x"}]}""",
        """{"items":{}}""",
        """{"anything":[1,{"a":null}],"list":[1,"x"]}""",
        """{"anything":null}""",
        """["a","b"]""",
        """["a",1]""",
        "[]",
        "\"text\"",
        "42",
        "-7",
        "4.5",
        "true",
        "null",
        "{}",
        "```json\n{\"analysis\":\"fenced\",\"confidence\":0.1}\n```",
        "not json",
    ];

    [Theory]
    [MemberData(nameof(Schemas))]
    public void A_plain_schema_checks_a_reply_as_NJsonSchema_does(string schema)
    {
        var plain = OutputSchema.FromJson(schema);
        var byNJsonSchema = OutputSchema.FromJson(WithComment(schema));
        foreach (var reply in Replies)
        {
            var (value, problems) = plain.Check(reply);
            var (expectedValue, expectedProblems) = byNJsonSchema.Check(reply);
            Assert.True(JsonNode.DeepEquals(expectedValue, value), $"{reply}: {value?.ToJsonString()} instead of {expectedValue?.ToJsonString()}");
            Assert.Equal(expectedProblems, problems);
        }
    }

    [Theory]
    [MemberData(nameof(Schemas))]
    public void A_plain_schema_is_sent_to_providers_as_NJsonSchema_would_send_it(string schema)
    {
        var plain = OutputSchema.FromJson(schema, "analysis");
        var byNJsonSchema = OutputSchema.FromJson(WithComment(schema), "analysis");
        var expected = JsonNode.Parse(byNJsonSchema.Json.GetRawText())!.AsObject();
        expected.Remove("$comment");
        // The same schema: NJsonSchema writes its keywords in an order of its own, and may add "$schema".
        expected.Remove("$schema");
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(plain.Json.GetRawText())), $"{plain.Json} instead of {expected.ToJsonString()}");
        Assert.Equal("analysis", plain.Name);
    }

    [Theory]
    [InlineData("""{"type":"object","required":"analysis"}""")]
    [InlineData("""{"type":"strin"}""")]
    [InlineData("""{"type":"object","properties":{"a":{"$ref":"http://example.com/s.json"}}}""")]
    [InlineData("""{"type":"object","properties":[]}""")]
    [InlineData("not json")]
    public void A_schema_that_is_not_plain_is_accepted_or_refused_as_before(string schema)
    {
        var alone = Outcome(schema);
        var commented = schema.StartsWith('{') ? Outcome(WithComment(schema)) : alone;
        Assert.Equal(commented, alone);
    }

    private static string Outcome(string schema)
    {
        try
        {
            OutputSchema.FromJson(schema);
            return "accepted";
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
    }

    private static string WithComment(string schema)
    {
        var node = JsonNode.Parse(schema)!.AsObject();
        node["$comment"] = "read by NJsonSchema only";
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }
}
