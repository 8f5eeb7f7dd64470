using Baton.AI;

namespace Baton.AI.Tests.Templates;

/// <summary>
/// Plain templates (text and <c>{{ input.a.b }}</c>) render without Fluid; each renders exactly what Fluid renders, checked
/// against the same template wrapped in <c>{% if true %}</c>, which only Fluid reads.
/// </summary>
public sealed class SimpleTemplateTests
{
    private static readonly Payload[] Inputs =
    [
        Payload.ParseJson("""{"analysis":"Adoption is rising.","confidence":0.9,"n":3,"ok":true,"nothing":null,"list":[1,"a"],"nested":{"deep":{"x":"y"},"s":"t"},"size":"big"}"""),
        Payload.FromText("plain text"),
        Payload.ParseJson("""["a","b"]"""),
        Payload.ParseJson("42"),
        Payload.Empty,
    ];

    [Theory]
    [InlineData("Find the key trends about {{ inputs.topic }}.")]
    [InlineData("Write a report from: {{ input.analysis }}")]
    [InlineData("{{input}}")]
    [InlineData("{{ input }} and {{ state }} and {{ inputs }}")]
    [InlineData("{{ input.nested }} {{ input.nested.deep.x }} {{ input.nested.s }}")]
    [InlineData("{{ input.missing }}|{{ input.missing.deeper }}|{{ input.nothing }}|{{ input.nothing.x }}")]
    [InlineData("{{ input.confidence }} {{ input.n }} {{ input.ok }} {{ input.list }}")]
    [InlineData("{{ input.analysis.size }} {{ input.list.size }} {{ input.list.first }} {{ input.size }}")]
    [InlineData("{{ state.topic }} {{ state.inputs.topic }} {{ inputs.count }} {{ inputs.tags }}")]
    [InlineData("line one\n  {{\n input.analysis\t}}\n{ not a tag } }")]
    [InlineData("")]
    [InlineData("no outputs at all")]
    public void A_plain_template_renders_as_Fluid_renders_it(string source)
    {
        var state = new State(new Dictionary<string, Payload>
        {
            ["inputs"] = Payload.ParseJson("""{"topic":"AI agents","count":2,"tags":["x","y"]}"""),
            ["topic"] = Payload.FromText("from state"),
        });
        var plain = PromptTemplate.Parse(source);
        var byFluid = PromptTemplate.Parse("{% if true %}" + source + "{% endif %}");
        foreach (var input in Inputs)
        {
            Assert.Equal(byFluid.Render(input, state), plain.Render(input, state));
            Assert.Equal(byFluid.Render(input, null), plain.Render(input, null));
        }
    }

    [Theory]
    [InlineData("{{ input.analysis | upcase }}")]
    [InlineData("{{- input.analysis -}}")]
    [InlineData("{{ input['analysis'] }}")]
    [InlineData("{{ other.name }}")]
    [InlineData("{{ }}")]
    [InlineData("{{ input.analysis }")]
    [InlineData("{% if x %}")]
    [InlineData("a }} b")]
    [InlineData("{{ input. analysis }}")]
    [InlineData("{{ 'text' }}")]
    public void Anything_else_is_read_and_refused_as_before(string source)
    {
        // The same answer whether the template stands alone or follows plain text, which the plain reader takes.
        var alone = PromptTemplate.TryParse(source, out var template, out var error);
        var after = PromptTemplate.TryParse("plain {{ input.analysis }} " + source, out _, out var errorAfter);
        Assert.Equal(alone, after);
        Assert.Equal(alone, error is null);
        if (alone) Assert.Equal(PromptTemplate.Parse("{% if true %}" + source + "{% endif %}").Render(Inputs[0], null), template!.Render(Inputs[0], null));
        else Assert.NotNull(errorAfter);
    }

    [Fact]
    public void A_plain_template_is_cancelled_like_any_other()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        Assert.Throws<OperationCanceledException>(() => PromptTemplate.Parse("{{ input.analysis }}").Render(Inputs[0], null, cancellation.Token));
    }

    [Fact]
    public void A_plain_output_longer_than_the_bound_is_refused_as_before()
    {
        var input = Payload.ParseJson("{\"text\":\"" + new string('x', PromptTemplate.OutputLimit) + "\"}");
        var error = Assert.Throws<AgentException>(() => PromptTemplate.Parse("a{{ input.text }}").Render(input, null));
        Assert.Equal("template", error.Code);
        Assert.Contains("rendered more than 1048576 characters", error.Message);
    }

    private sealed class State(Dictionary<string, Payload> values) : IRunStateView
    {
        public IReadOnlyCollection<string> Names => values.Keys;

        public bool TryGet(string name, out Payload value) => values.TryGetValue(name, out value!);
    }
}
