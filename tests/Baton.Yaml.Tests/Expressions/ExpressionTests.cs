using System.Diagnostics;
using Baton.Yaml.Expressions;

namespace Baton.Yaml.Tests.Expressions;

public sealed class ExpressionTests
{
    private static readonly ExpressionScope Scope = new()
    {
        Input = Payload.FromText("topic"),
        Output = Payload.ParseJson("""{"analysis":"rising","items":[1,2,3]}"""),
        Confidence = 0.6,
        Inputs = Payload.ParseJson("""{"topic":"AI agents"}"""),
    };

    [Theory]
    [InlineData("confidence < 0.7", true)]
    [InlineData("confidence < 0.7 || output.length == 0", true)]
    [InlineData("output.analysis == 'rising' && inputs.topic.startsWith('AI')", true)]
    [InlineData("output.items.length > 3", false)]
    [InlineData("input == 'topic'", true)]
    [InlineData("error == null", true)]
    public void Expressions_see_the_step_values(string source, bool expected) =>
        Assert.Equal(expected, Expression.Parse(source).EvaluateBoolean(Scope));

    [Fact]
    public void Values_and_arrays_come_back_as_payloads()
    {
        Assert.Equal("AI agents!", Expression.Parse("inputs.topic + '!'").Evaluate(Scope).AsText());
        Assert.Equal("""{"n":3}""", Expression.Parse("({ n: output.items.length })").Evaluate(Scope).ToString());
        var items = Expression.Parse("output.items.map(i => i * 10)").EvaluateArray(Scope);
        Assert.Equal(["10", "20", "30"], items.Select(i => i.ToString()));
        var notArray = Assert.Throws<AgentException>(() => Expression.Parse("output").EvaluateArray(Scope));
        Assert.Contains("not an array", notArray.Message);
    }

    [Fact]
    public void A_syntax_error_says_where_inside_the_expression()
    {
        Assert.False(Expression.TryParse("confidence < < 0.7", out _, out var error));
        Assert.Equal(1, error!.Line);
        Assert.Equal(14, error.Column);
        Assert.False(Expression.TryParse("a; b", out _, out _)); // one expression, not statements
        Assert.False(Expression.TryParse("  ", out _, out _));
    }

    [Theory]
    // A busy loop hits the statement bound, or on a loaded machine the time bound first: either is the loop stopped.
    [InlineData("(() => { while (true) {} })()", "statements|ran longer than")]
    [InlineData("(() => { let i = 0; while (true) { i = (i + 1) % 7; } })()", "statements|ran longer than")]
    [InlineData("(() => { const a = []; while (true) a.push('xxxxxxxxxxxxxxxx'); })()", "")]
    [InlineData("(function f(n) { return f(n + 1); })(0)", "recursed deeper")]
    public void Runaway_expressions_hit_a_bound_quickly(string source, string why)
    {
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<AgentException>(() => Expression.Parse(source).EvaluateBoolean(Scope));
        // A hang guard only, far above Expression.TimeLimit: what stops the expression is the bound in its message.
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"took {clock.Elapsed}");
        Assert.Equal((ErrorKind.Fatal, "expression"), (error.Kind, error.Code));
        Assert.Matches(why, error.Message);
        Assert.True(Expression.Parse("1 + 1 == 2").EvaluateBoolean(Scope)); // the next evaluation is unaffected
    }

    [Theory]
    [InlineData("System.IO.File.ReadAllText('/etc/passwd')")]
    [InlineData("importNamespace('System.IO')")]
    [InlineData("clrHelper.getType(input)")]
    [InlineData("require('fs')")]
    [InlineData("fetch('http://example.org')")]
    public void Nothing_outside_the_sandbox_is_reachable(string source)
    {
        var error = Assert.Throws<AgentException>(() => Expression.Parse(source).Evaluate(Scope));
        Assert.Contains("is not defined", error.Message);
    }

    [Fact]
    public void State_is_visible_by_name()
    {
        var scope = Scope with { State = new StateView(new() { ["attempts"] = Payload.From(2), ["notes"] = Payload.FromText("draft") }) };
        Assert.True(Expression.Parse("state.attempts < 3 && state.notes == 'draft'").EvaluateBoolean(scope));
    }

    private sealed class StateView(Dictionary<string, Payload> values) : IRunStateView
    {
        public IReadOnlyCollection<string> Names => values.Keys;

        public bool TryGet(string name, out Payload value) => values.TryGetValue(name, out value!);
    }
}
