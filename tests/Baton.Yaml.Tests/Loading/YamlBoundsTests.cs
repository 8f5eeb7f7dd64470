using System.Diagnostics;
using System.Text;
using Baton.Yaml;

namespace Baton.Yaml.Tests.Loading;

/// <summary>Hostile YAML is refused at a position, cheaply, before it can be expanded: aliases, nesting, size.</summary>
public sealed class YamlBoundsTests
{
    private const string Head = "version: 1\nagents: { hello: { template: 'x' } }\nworkflow: hello\n";

    /// <summary>Billion laughs: ten anchors, each a list of ten aliases to the one before (10^10 values once copied).</summary>
    private static string AliasBomb(string indent = "")
    {
        var text = new StringBuilder();
        text.Append(indent).Append("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i <= 9; i++)
        {
            text.Append(indent).Append($"l{i}: &l{i} [").AppendJoin(", ", Enumerable.Repeat($"*l{i - 1}", 10)).Append("]\n");
        }

        return text.ToString();
    }

    private static WorkflowFileError Refused(string yaml, string contains)
    {
        // The bound is on work done, not on the machine's speed: reading is synchronous, so the bytes this thread
        // allocates are what refusing the file cost. A file expanded before its bound was checked (an alias bomb's
        // 111,111 values, a nesting copied level by level) costs tens of megabytes; refusing it at once costs a small
        // multiple of the text (the 100,000-value file, the costliest here, takes ~230 bytes a character).
        var clock = Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = WorkflowFile.Read(yaml, "hostile.yaml");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var budget = (1024L * yaml.Length) + (1024 * 1024);
        Assert.True(allocated <= budget, $"refusing {yaml.Length} characters allocated {allocated} bytes; at most {budget}");
        // Only a hang guard, far above the normal tens of milliseconds: a loaded machine must not fail it.
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"took {clock.Elapsed}");
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Contains(contains, error.Message);
        Assert.Equal("hostile.yaml", error.File);
        return error;
    }

    [Fact]
    public void An_alias_bomb_is_refused_at_the_alias_that_passes_the_bound()
    {
        var bomb = "version: 1\ninputs:\n  lol:\n    type: object\n    default:\n" + AliasBomb("      ") + "agents: { hello: { template: 'x' } }\nworkflow: hello\n";
        Assert.True(bomb.Length < 1000);
        var error = Refused(bomb, "more than 100000 values once its aliases are copied");
        // l0 is on line 6: l4 holds 111,111 values, the first to pass 100,000, so its line (10) is where it is reported.
        Assert.Equal(10, error.Line);
        Assert.True(error.Column > 1);
    }

    [Fact]
    public void An_alias_bomb_under_an_unknown_key_is_refused_too()
    {
        // No reader copies it here, but the bound is on the text, whatever key holds it.
        Refused(Head + "junk:\n" + AliasBomb("  "), "aliases are copied");
    }

    [Fact]
    public void An_inputs_file_with_an_alias_bomb_is_refused()
    {
        var error = Assert.Throws<FormatException>(() => WorkflowFile.ReadValue(AliasBomb()));
        Assert.Contains("once its aliases are copied", error.Message);
        Assert.StartsWith("(5:", error.Message); // line 5 is l4
    }

    [Fact]
    public void Aliases_within_the_bound_still_work()
    {
        var yaml = """
            version: 1
            inputs:
              base: { type: object, default: &base { tone: plain, words: 100 } }
              copy: { type: object, default: *base }
            agents: { hello: { template: "{{ inputs.copy.tone }}" } }
            workflow: hello
            """;
        var result = WorkflowFile.Read(yaml, "ok.yaml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal("plain", result.Document!.Inputs.Single(i => i.Name == "copy").Default!["tone"]!.GetValue<string>());
    }

    [Fact]
    public void Deep_nesting_is_refused_where_it_passes_the_bound()
    {
        var yaml = Head + "junk: " + new string('[', 70) + new string(']', 70) + "\n";
        var error = Refused(yaml, "deeper than 64 levels");
        Assert.Equal(4, error.Line);
        // The root map is level 1, so the 64th '[' (column 7 + 63) opens level 65.
        Assert.Equal(7 + 63, error.Column);
    }

    [Fact]
    public void Nesting_a_hundred_thousand_levels_deep_does_not_overflow_the_stack()
    {
        var yaml = Head + "junk: " + new string('[', 100_000) + "\n";
        Refused(yaml, "deeper than 64 levels");
    }

    [Fact]
    public void Deep_nesting_through_an_alias_is_refused()
    {
        var deep = new string('[', 40) + new string(']', 40);
        var yaml = Head + $"a: &deep {deep}\n" + "b: " + new string('[', 30) + "*deep" + new string(']', 30) + "\n";
        var error = Refused(yaml, "deeper than 64 levels once its aliases are copied");
        Assert.Equal(5, error.Line);
    }

    [Fact]
    public void A_template_nested_deep_enough_to_overflow_the_parser_is_an_error_at_the_template()
    {
        // Under 1 MiB, yet deep enough to overflow the template parser's stack.
        var template = string.Concat(Enumerable.Repeat("{%if 1%}", 50_000)) + string.Concat(Enumerable.Repeat("{%endif%}", 50_000));
        var yaml = $"version: 1\nagents:\n  deep: {{ template: \"{template}\" }}\nworkflow: deep\n";
        var error = Refused(yaml, "nests blocks deeper than 64");
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void A_file_of_too_many_values_is_refused()
    {
        var yaml = Head + "junk: [" + string.Join(",", Enumerable.Repeat("0", WorkflowFileLimits.MaxNodes)) + "]\n";
        Refused(yaml, "more than 100000 values");
    }

    [Fact]
    public void A_file_over_one_mebibyte_is_refused_before_it_is_parsed()
    {
        var yaml = Head + "description: " + new string('x', WorkflowFileLimits.MaxFileLength) + "\n";
        var error = Refused(yaml, "at most 1048576 (1 MiB)");
        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Throws<FormatException>(() => WorkflowFile.ReadValue(yaml));
    }

    [Fact]
    public async Task A_file_on_disk_over_one_mebibyte_is_refused_without_reading_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"baton-big-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, Head + "description: " + new string('x', WorkflowFileLimits.MaxFileLength) + "\n");
        try
        {
            var result = await WorkflowFile.ReadAsync(path);
            var error = Assert.Single(result.Errors);
            Assert.Contains("bytes long; at most 1048576 (1 MiB)", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
