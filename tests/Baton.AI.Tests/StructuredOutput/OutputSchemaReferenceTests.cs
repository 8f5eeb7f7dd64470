using System.Net;
using System.Net.Sockets;
using Baton.AI;

namespace Baton.AI.Tests.StructuredOutput;

/// <summary>A schema's <c>$ref</c> is resolved inside the schema only: a file or URL is refused, never read.</summary>
public sealed class OutputSchemaReferenceTests
{
    private static string Schema(string reference) =>
        """{"type":"object","properties":{"a":{"$ref":""" + System.Text.Json.JsonSerializer.Serialize(reference) + "}}}";

    [Fact]
    public void A_ref_to_a_url_is_refused_without_connecting()
    {
        // A listener that never accepts: a connection attempt would wait in its backlog, where Pending() sees it.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/schema.json";
            var schema = Schema(url);
            var error = Assert.Throws<FormatException>(() => OutputSchema.FromJson(schema));
            Assert.Contains($"the $ref '{url}' points outside the schema", error.Message);
            Assert.False(listener.Pending(), "the schema's $ref was fetched");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Theory]
    [InlineData("other.json")]
    [InlineData("/etc/passwd")]
    [InlineData("file:///etc/passwd")]
    [InlineData("other.json#/definitions/x")]
    public void A_ref_to_a_file_is_refused(string reference)
    {
        var schema = Schema(reference);
        var error = Assert.Throws<FormatException>(() => OutputSchema.FromJson(schema));
        Assert.Contains("points outside the schema", error.Message);
    }

    [Fact]
    public void A_ref_inside_the_schema_still_works()
    {
        var schema = OutputSchema.FromJson("""
            {"type":"object","required":["a"],"properties":{"a":{"$ref":"#/definitions/word"}},
             "definitions":{"word":{"type":"string"}}}
            """);
        Assert.Empty(schema.Check("""{"a":"yes"}""").Problems);
        Assert.NotEmpty(schema.Check("""{"a":1}""").Problems);
    }
}
