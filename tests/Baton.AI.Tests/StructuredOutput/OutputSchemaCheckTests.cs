using Baton.AI;

namespace Baton.AI.Tests.StructuredOutput;

/// <summary>Replies the fuzzer found: whatever a provider sends, checking it gives problems, never an exception.</summary>
public sealed class OutputSchemaCheckTests
{
    private static readonly OutputSchema Analysis = OutputSchema.FromJson("""{"type":"object","properties":{"analysis":{"type":"string"}},"required":["analysis"]}""");

    [Theory]
    [InlineData("{\"analysis\": \"\uD800\"}")]
    [InlineData("\uDFFF")]
    [InlineData("{\"analysis\": \"ok\uDC00\uD800\"}")]
    public void A_reply_that_is_not_valid_text_is_a_problem_not_a_crash(string reply)
    {
        // A JSON reply escaping half a surrogate pair ("\ud800") decodes to such a string (Baton.Soak fuzz, model-replies).
        var (value, problems) = Analysis.Check(reply);

        Assert.Null(value);
        Assert.Contains(problems, p => p.StartsWith("the reply is not valid text", StringComparison.Ordinal));
    }
}
