using System.Diagnostics;
using Baton.AI;

namespace Baton.AI.Tests.Templates;

/// <summary>Hostile templates: each stops at a named bound, quickly, with a fatal <c>template</c> error.</summary>
public sealed class PromptTemplateBoundsTests
{
    private static readonly Payload Input = Payload.ParseJson("""{"n":1000000000,"text":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}""");

    [Theory]
    [InlineData("{% for a in (1..1000) %}{% for b in (1..1000) %}{% endfor %}{% endfor %}", "more than 100000 statements or nested")]
    [InlineData("{% for i in (1..100000000) %}x{% endfor %}", "the range \\(1..100000000\\) has 100000000 numbers")]
    [InlineData("{% for i in (1..input.n) %}x{% endfor %}", "the range \\(1..1000000000\\)")]
    [InlineData("{% for i in (1..10000) %}{{ input.text }}{{ input.text }}{% endfor %}", "rendered more than 1048576 characters")]
    [InlineData("{% assign s = 'xxxxxxxxxxxxxxxx' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}", "assigned a text longer than 1048576")]
    [InlineData("{% capture s %}{% for i in (1..9000) %}{{ input.text }}{{ input.text }}{% endfor %}{% endcapture %}", "assigned a text longer|rendered more than")]
    // One call that would multiply a long text: refused before the text is made.
    [InlineData("{% assign s = 'x' %}{% for i in (1..20) %}{% assign s = s | append: s %}{% endfor %}{% assign t = s | replace: 'x', s %}", "'replace' would make a text of 1099511627776 characters")]
    [InlineData("{% assign s = 'x' %}{% for i in (1..20) %}{% assign s = s | append: s %}{% endfor %}{% assign a = s | split: 'y' %}{% for i in (1..16) %}{% assign a = a | concat: a %}{% endfor %}{{ a | join: '' | size }}", "'join' would make a text of")]
    [InlineData("{% assign a = 'x' | split: ',' %}{% for i in (1..40) %}{% assign a = a | concat: a %}{% endfor %}", "assigned a list of more than 100000 items")]
    public void Runaway_templates_hit_a_bound_quickly(string source, string why)
    {
        var template = PromptTemplate.Parse(source);
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<AgentException>(() => template.Render(Input, null));
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"took {clock.Elapsed}"); // a hang guard only: the bound named in the message is what stops it
        Assert.Equal((ErrorKind.Fatal, "template"), (error.Kind, error.Code));
        Assert.Matches(why, error.Message);
        Assert.Equal("fine", PromptTemplate.Parse("{{ 'fine' }}").Render(Input, null)); // the next render is unaffected
    }

    [Fact]
    public void Nesting_past_the_recursion_bound_is_refused_at_parse()
    {
        var depth = PromptTemplate.RecursionLimit + 1;
        var source = string.Concat(Enumerable.Repeat("{% for i in (1..1) %}", depth)) + "x" + string.Concat(Enumerable.Repeat("{% endfor %}", depth));
        var error = Assert.Throws<FormatException>(() => PromptTemplate.Parse(source));
        Assert.Contains("nests blocks deeper than 64", error.Message);
    }

    [Theory]
    [InlineData("{% if true %}", "{% endif %}", "nests blocks deeper than 64")]
    [InlineData("{% for i in (1..1) %}", "{% endfor %}", "nests blocks deeper than 64")]
    [InlineData("{{ a[", "] }}", "nests brackets deeper than 64")]
    public void Nesting_that_would_overflow_the_parser_is_refused_before_parsing(string open, string close, string why)
    {
        // Fifty thousand levels overflow Fluid's recursive parser, which would end the process: refused before it runs.
        var source = open.EndsWith('[')
            ? open + string.Concat(Enumerable.Repeat("a[", 50_000)) + "0" + new string(']', 50_000) + close
            : string.Concat(Enumerable.Repeat(open, 50_000)) + string.Concat(Enumerable.Repeat(close, 50_000));
        Assert.False(PromptTemplate.TryParse(source, out _, out var error));
        Assert.Contains(why, error);
    }

    [Fact]
    public void Nesting_within_the_bound_parses_and_raw_text_is_not_counted()
    {
        var nested = string.Concat(Enumerable.Repeat("{% if true %}", 60)) + "x" + string.Concat(Enumerable.Repeat("{% endif %}", 60));
        Assert.Equal("x", PromptTemplate.Parse(nested).Render(Input, null));
        var raw = "{% raw %}" + string.Concat(Enumerable.Repeat("{% if %}", 100)) + "{% endraw %}";
        Assert.True(PromptTemplate.TryParse(raw, out _, out var error), error);
    }

    [Fact]
    public void Templates_within_the_bounds_render_as_before()
    {
        var source = "{% for i in (1..3) %}{{ i }}{% endfor %}/{{ input.n }}/{% assign s = 'ab' | append: 'cd' %}{{ s }}/{{ s | replace: 'b', 'BB' }}/{{ 'a,b' | split: ',' | join: '+' }}";
        Assert.Equal("123/1000000000/abcd/aBBcd/a+b", PromptTemplate.Parse(source).Render(Input, null));
        var limit = PromptTemplate.Parse($"{{% for i in (1..{PromptTemplate.RangeLimit}) %}}{{% endfor %}}done");
        Assert.Equal("done", limit.Render(Input, null));
    }

    [Theory]
    [InlineData("{% include 'secrets.txt' %}", "'include' is not available")]
    [InlineData("{% render '/etc/passwd' %}", "'render' is not available")]
    [InlineData("{% if true %}{% include input.file %}{% endif %}", "'include' is not available")]
    public void Templates_cannot_read_files(string source, string why)
    {
        Assert.False(PromptTemplate.TryParse(source, out var template, out var error));
        Assert.Null(template);
        Assert.Contains(why, error);
        var thrown = Assert.Throws<FormatException>(() => PromptTemplate.Parse(source));
        Assert.Contains("cannot read files", thrown.Message);
    }

    [Theory]
    [InlineData("{{ input.GetType }}")]
    [InlineData("{{ input.GetType.Assembly }}")]
    [InlineData("{{ input.text.Length }}")]
    [InlineData("{{ input.constructor }}")]
    public void No_dotnet_member_is_reachable(string source) =>
        Assert.Equal("", PromptTemplate.Parse(source).Render(Input, null));

    [Fact]
    public void A_cancelled_render_stops()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var template = PromptTemplate.Parse("{% for i in (1..10) %}{{ i }}{% endfor %}");
        Assert.Throws<OperationCanceledException>(() => template.Render(Input, null, cancellation.Token));
    }

    [Fact]
    public void Cancelling_during_a_render_stops_it_at_its_next_write()
    {
        using var cancellation = new CancellationTokenSource();
        // The state is read as the render starts: cancelling there is "the step's timeout fired while rendering".
        var state = new CancellingState(cancellation);
        var template = PromptTemplate.Parse("{% for i in (1..5000) %}{{ state.x }}{% endfor %}");
        Assert.Throws<OperationCanceledException>(() => template.Render(Input, state, cancellation.Token));
    }

    private sealed class CancellingState(CancellationTokenSource cancellation) : IRunStateView
    {
        public IReadOnlyCollection<string> Names => ["x"];

        public bool TryGet(string name, out Payload value)
        {
            cancellation.Cancel();
            value = Payload.FromText("x");
            return true;
        }
    }
}
