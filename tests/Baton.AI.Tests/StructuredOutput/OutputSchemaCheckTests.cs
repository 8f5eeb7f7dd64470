using Baton.AI;

namespace Baton.AI.Tests.StructuredOutput;

/// <summary>Replies the fuzzer found: whatever a provider sends, checking it gives problems, never an exception.</summary>
public sealed class OutputSchemaCheckTests
{
    private static readonly OutputSchema Analysis = OutputSchema.FromJson("""{"type":"object","properties":{"analysis":{"type":"string"}},"required":["analysis"]}""");

    [Fact]
    public void A_reply_that_is_not_valid_text_is_a_problem_not_a_crash()
    {
        // Built here, not as theory data: a test runner that serializes its cases may replace a lone surrogate with U+FFFD.
        // A JSON reply escaping half a surrogate pair ("\ud800") decodes to such a string (Baton.Soak fuzz, model-replies).
        string[] replies = ["{\"analysis\": \"" + '\uD800' + "\"}", '\uDFFF'.ToString(), "{\"analysis\": \"ok" + '\uDC00' + '\uD800' + "\"}"];
        foreach (var reply in replies)
        {
            var (value, problems) = Analysis.Check(reply);

            Assert.Null(value);
            Assert.Contains(problems, p => p.StartsWith("the reply is not valid text", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_number_too_big_for_the_schema_checker_is_a_problem_not_a_crash()
    {
        // A "$comment" keeps the schema off the plain path, so NJsonSchema (which reads numbers with Newtonsoft.Json) checks it.
        var counted = OutputSchema.FromJson("""{"$comment":"counted","type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}""");

        var (value, problems) = counted.Check("""{"n": -12345678901234567890123}""");

        Assert.Null(value);
        Assert.Contains(problems, p => p.Contains("could not be checked against the schema", StringComparison.Ordinal));
    }
}
