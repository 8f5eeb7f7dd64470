using Baton.Yaml;

namespace Baton.Yaml.Tests.Loading;

/// <summary>
/// A plain output schema is read without NJsonSchema when the file loads (start-up); a file is still valid or refused,
/// at the schema, exactly as before.
/// </summary>
public sealed class OutputSchemaLoadingTests
{
    private static string File(string schema) => $$"""
        version: 1
        models:
          m: { provider: scripted, replies: ['{"analysis": "x", "confidence": 1}'] }
        agents:
          analyst:
            model: m
            instructions: "Analyze the text."
            output:
              schema: {{schema}}
        workflow: analyst
        """;

    [Theory]
    [InlineData("{ type: object, properties: { analysis: { type: string }, confidence: { type: number } }, required: [analysis, confidence] }")]
    [InlineData("{ type: object, properties: { tags: { type: array, items: { type: string } } }, additionalProperties: false }")]
    [InlineData("{ type: object, properties: { n: { type: integer, minimum: 0 } } }")]
    public void A_schema_NJsonSchema_reads_is_valid(string schema)
    {
        var result = WorkflowFile.Read(File(schema), "flow.yaml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    [Theory]
    [InlineData("{ type: object, required: analysis }")]
    [InlineData("{ type: object, properties: [analysis] }")]
    public void A_schema_NJsonSchema_refuses_is_an_error_at_the_schema(string schema)
    {
        var error = Assert.Single(WorkflowFile.Read(File(schema), "flow.yaml").Errors);
        Assert.Contains("'schema' is not a valid JSON schema", error.Message);
        Assert.Equal(9, error.Line);
    }

    [Fact]
    public void A_file_with_a_plain_schema_runs_its_check_on_the_reply()
    {
        var file = File("{ type: object, properties: { analysis: { type: string } }, required: [analysis, confidence] }");
        var result = WorkflowFile.Read(file, "flow.yaml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var schema = Baton.AI.OutputSchema.FromJson(result.Document!.Agents["analyst"].OutputSchema!);
        Assert.Empty(schema.Check("""{"analysis": "x", "confidence": 1}""").Problems);
        Assert.Equal(["#/confidence: the property 'confidence' is required"], schema.Check("""{"analysis": "x"}""").Problems);
    }
}
