using Baton.Yaml.Model;

namespace Baton.Cli.Tests;

/// <summary>What the fuzzer found (Baton.Soak, inputs): an input that is not valid text is a usage error, not a crash.</summary>
public sealed class InputTextTests
{
    private static readonly InputDefinition[] Topic = [new("topic", "string", null, Required: true)];

    [Theory]
    [InlineData("topic=\uD800")]
    [InlineData("topic={\"a\": \"\uDFFF\"}")]
    public async Task An_input_with_half_a_surrogate_pair_is_a_usage_error(string pair)
    {
        // A Windows command line can carry one; on Linux a file's "\ud800" escape can.
        var error = await Assert.ThrowsAsync<UsageException>(() => Inputs.ReadAsync(Topic, [pair], null, CancellationToken.None));

        Assert.StartsWith("the inputs are not valid text", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_input_file_escaping_half_a_surrogate_pair_is_a_usage_error()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "{\"topic\": \"\\ud800\"}");
            // Refused as a usage error (by the YAML reader, or as text JSON cannot hold), never an ArgumentException.
            var error = await Assert.ThrowsAsync<UsageException>(() => Inputs.ReadAsync(Topic, null, file, CancellationToken.None));
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
