using System.Diagnostics;
using Baton.Yaml.Expressions;

namespace Baton.Yaml.Tests.Expressions;

/// <summary>Escape attempts from the expression sandbox: each is refused or stopped at a named bound, and leaves nothing behind.</summary>
public sealed class ExpressionSandboxTests
{
    private static readonly ExpressionScope Scope = new()
    {
        Input = Payload.FromText("topic"),
        Output = Payload.ParseJson("""{"items":[1,2,3]}"""),
        Inputs = Payload.ParseJson("""{"topic":"AI agents"}"""),
    };

    private static AgentException Fails(string source)
    {
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<AgentException>(() => Expression.Parse(source).Evaluate(Scope));
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"took {clock.Elapsed}"); // a hang guard only: the bound named in the message is what stops it
        Assert.Equal((ErrorKind.Fatal, "expression"), (error.Kind, error.Code));
        return error;
    }

    [Theory]
    [InlineData("(Object.prototype.polluted = 1, 1)", "({}).polluted === undefined")]
    [InlineData("(Array.prototype.includes = () => true, 1)", "![1].includes(2)")]
    [InlineData("(globalThis.leak = 'x', 1)", "typeof leak === 'undefined'")]
    [InlineData("(JSON.parse = () => 42, 1)", "JSON.parse('1') === 1")]
    [InlineData("(String.prototype.toString = () => 'owned', 1)", "'a'.toString() === 'a'")]
    public void What_one_evaluation_changes_is_not_seen_by_the_next(string attack, string check)
    {
        Expression.Parse(attack).Evaluate(Scope);
        Assert.True(Expression.Parse(check).EvaluateBoolean(Scope));
    }

    [Theory]
    [InlineData("eval('1 + 1')")]
    [InlineData("Function('return 1')()")]
    [InlineData("(() => 1).constructor('return this')()")]
    [InlineData("({}).constructor.constructor('return this')()")]
    [InlineData("new Function('return process')()")]
    [InlineData("(async () => 1).constructor('return 1')")]
    [InlineData("(function* () {}).constructor('yield 1')")]
    public void Code_cannot_be_made_from_text(string source) =>
        Assert.Contains("String compilation has been disabled", Fails(source).Message);

    [Theory]
    [InlineData("import('fs')")]
    [InlineData("require('child_process')")]
    [InlineData("process.env")]
    [InlineData("System.Environment.GetEnvironmentVariable('HOME')")]
    [InlineData("importNamespace('System.IO').File")]
    [InlineData("clrHelper")]
    [InlineData("host.type('System.IO.File')")]
    [InlineData("XMLHttpRequest")]
    [InlineData("WebAssembly")]
    public void Nothing_of_the_host_is_reachable(string source) =>
        Assert.Matches("is not defined|Module loading has been disabled", Fails(source).Message);

    [Theory]
    [InlineData("input.GetType()")]
    [InlineData("inputs.GetType")]
    [InlineData("output.items.GetType")]
    public void Values_are_plain_json_with_no_dotnet_members(string source)
    {
        // Either undefined (no such member) or an error calling it: never a .NET object.
        try
        {
            Assert.True(Expression.Parse(source).Evaluate(Scope).IsEmpty);
        }
        catch (AgentException error)
        {
            Assert.Contains("is not a function", error.Message);
        }
    }

    [Theory]
    [InlineData("for (;;) {}")]
    [InlineData("(() => { for (;;) {} })()")]
    [InlineData("(() => { do {} while (true) })()")]
    [InlineData("[1].map(function f(x) { return [x].map(f); })")]
    [InlineData("(() => { const f = () => f(); return f(); })()")]
    [InlineData("JSON.stringify((function nest(n) { return n == 0 ? 1 : [nest(n - 1)]; })(100000))")]
    public void Loops_and_recursion_are_stopped(string source)
    {
        if (!Expression.TryParse(source, out var expression, out _))
        {
            return; // a statement is not an expression: refused when the file loads
        }

        var error = Assert.Throws<AgentException>(() => expression!.Evaluate(Scope));
        Assert.Matches("statements|ran longer than|recursed deeper", error.Message);
    }

    [Theory]
    [InlineData("'x'.repeat(1e9).length")]
    [InlineData("new Array(1e9).fill(0).length")]
    [InlineData("Array.from({ length: 1e8 }).length")]
    [InlineData("Array(1e6).join('xxxxxxxxxx').length")]
    [InlineData("'x'.repeat(1e6).split('').length")]
    [InlineData("(() => { let s = 'x'; for (let i = 0; i < 40; i++) s += s; return s.length; })()")]
    [InlineData("new ArrayBuffer(1e9).byteLength")]
    [InlineData("new Uint8Array(1e9).length")]
    [InlineData("new Float64Array(1e8).length")]
    [InlineData("[...Array(1e7).keys()].length")]
    public void Huge_allocations_are_stopped(string source)
    {
        var error = Fails(source);
        // The memory bound, or (when a single call would exceed it at once) the string length bound or the global's absence;
        // on a loaded machine the time or statement bound may fire first.
        Assert.Matches("allocated more than 8 MB|Invalid string length|Array is not defined|ArrayBuffer is not defined|ran longer than|statements", error.Message);
        Assert.True(Expression.Parse("1 + 1 == 2").EvaluateBoolean(Scope)); // the next evaluation is unaffected
    }

    [Fact]
    public void Catastrophic_regex_backtracking_is_stopped()
    {
        var error = Fails("/(a+)+$/.test('a'.repeat(40) + 'b')");
        // The regex bound is the time bound; either name of it is right.
        Assert.Matches("regular expression ran longer than|ran longer than", error.Message);
    }

    [Fact]
    public void Ordinary_expressions_still_work()
    {
        Assert.True(Expression.Parse("/^AI/.test(inputs.topic) && [3, 1, 2].sort()[0] === 1").EvaluateBoolean(Scope));
        Assert.Equal("[2,4,6]", Expression.Parse("output.items.map(i => i * 2)").Evaluate(Scope).ToString());
        Assert.Equal(10_000, Expression.Parse("new Array(10000).fill(0).length").Evaluate(Scope).Get<int>());
    }
}
