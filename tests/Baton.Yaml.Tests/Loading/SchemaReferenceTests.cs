using System.Net;
using System.Net.Sockets;
using Baton.Yaml;

namespace Baton.Yaml.Tests.Loading;

/// <summary>Reading a file does no I/O for its output schemas: an external <c>$ref</c> is an error at the <c>$ref</c>.</summary>
public sealed class SchemaReferenceTests
{
    private static string File(string reference, string definitions = "{}") => $$"""
        version: 1
        models:
          m: { provider: scripted, replies: ['{"a": "x"}'] }
        agents:
          pick:
            model: m
            instructions: "Pick."
            output:
              schema:
                type: object
                definitions: {{definitions}}
                properties:
                  a: { $ref: "{{reference}}" }
        workflow: pick
        """;

    [Fact]
    public void A_url_ref_is_refused_at_its_position_without_connecting()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/schema.json";
            var result = WorkflowFile.Read(File(url), "flow.yaml");
            var error = Assert.Single(result.Errors);
            Assert.Contains($"the $ref '{url}' points outside the schema", error.Message);
            Assert.Equal((13, 22), (error.Line, error.Column)); // the opening quote of the URL
            Assert.False(listener.Pending(), "the schema's $ref was fetched");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void A_file_ref_is_refused()
    {
        var error = Assert.Single(WorkflowFile.Read(File("../secrets.json"), "flow.yaml").Errors);
        Assert.Contains("'../secrets.json' points outside the schema", error.Message);
    }

    [Fact]
    public void A_ref_inside_the_schema_is_fine()
    {
        var result = WorkflowFile.Read(File("#/definitions/word", "{ word: { type: string } }"), "flow.yaml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }
}
