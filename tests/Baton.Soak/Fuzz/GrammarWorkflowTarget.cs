using System.Text;
using System.Text.Json;
using Baton.Yaml;

namespace Baton.Soak.Fuzz;

/// <summary>
/// Workflow files generated from the format's grammar: every top-level key, agent kind and step kind, nested a few
/// levels, with values drawn from valid ones, wrong types, unknown names, hostile expressions and templates. A file that
/// loads is built and run (on the in-memory store, its models scripted), bounded by the watchdog.
/// </summary>
public sealed class GrammarWorkflowTarget : IFuzzTarget
{
    private static readonly string[] Expressions =
    [
        "input.length > 0", "output == 'done'", "confidence < 0.7", "[1, 2, 3]", "inputs.items", "state.n < 3", "true", "false", "1 +", "((",
        "while (true) {}", "(function f() { return f(); })()", "[...Array(1e9).keys()]", "'x'.repeat(1e9)", "this.constructor.constructor('return process')()",
        "Function('return 1')()", "eval('1')", "import('fs')", "/(a+)+$/.test('a'.repeat(40) + '!')", "Object.prototype.x = 1", "null", "undefined", "input",
    ];

    private static readonly string[] Templates =
    [
        "{{ input }}", "{{ inputs.topic | upcase }}", "{{ input | json }}", "{{ state.x }}", "{% for i in (1..100000000) %}x{% endfor %}",
        "{% for a in (1..1000) %}{% for b in (1..1000) %}{% for c in (1..1000) %}x{% endfor %}{% endfor %}{% endfor %}", "{% include 'secrets.txt' %}",
        "{% render '/etc/passwd' %}", "{{", "{% if %}", "plain text", "", "{{ input.a.b.c.d }}", "${env.BATON_FUZZ_UNSET}",
    ];

    // The valid expressions and templates: a clean file draws only from these.
    private static readonly string[] CleanExpressions = ["input.length > 0", "output == 'done'", "confidence < 0.7", "[1, 2, 3]", "true", "false", "state.n < 3"];
    private static readonly string[] CleanTemplates = ["{{ input }}", "{{ inputs.topic | upcase }}", "{{ input | json }}", "plain text", "{{ state.x }}"];

    // A hostile file (one in three) draws from every value, valid or not; a clean one only from valid values, so that
    // files load and run often enough for their expressions, templates and replies to meet input.
    [ThreadStatic]
    private static bool t_hostile;

    private static readonly string[] StepKinds = ["agent", "sequential", "parallel", "foreach", "route", "states", "vote", "ask", "emit", "graph", "set", "ref"];

    /// <inheritdoc/>
    public string Name => "workflow-grammar";

    /// <inheritdoc/>
    public int Weight => 20;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task<FuzzOutcome> RunAsync(int index, Random random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(random);
        var text = Generate(random);
        var outcome = WorkflowFileCheck.Check(text);
        if (Environment.GetEnvironmentVariable("BATON_FUZZ_DEBUG") == "1" && index < 12) Console.Error.WriteLine($"--- {index}: {outcome}: {string.Join(" | ", WorkflowFile.Read(text, "fuzz.yaml").Errors.Take(3))}");
        // Every eighth file that loads also runs: its expressions, templates and scripted replies meet real input.
        if (outcome != FuzzOutcome.Accepted || index % 8 != 0) return outcome;
        var built = WorkflowFile.Build(WorkflowFile.Read(text, "fuzz.yaml").Document!);
        // An ask suspends its run at once instead of waiting in memory for an answer no one gives: the run ends (waiting)
        // instead of running into the deadline below, and what is checked (how the run ends) is the same.
        await using var runtime = new BatonRuntime(new BatonOptions { HumanWaitInMemory = TimeSpan.Zero });
        built.Subscribe(runtime);
        // A file may ask for hour-long backoffs: the run is cancelled after a few seconds, and must then end promptly.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(5));
        var result = await runtime.RunAsync(built.Workflow, Payload.ParseJson("{\"topic\": \"fuzz\"}"), cancellationToken: deadline.Token);
        if (result.Status == RunStatus.Failed && (result.Error is null || string.IsNullOrWhiteSpace(result.Error.Message)))
            throw new FuzzFailure($"a run failed without an error message\n---\n{WorkflowFileCheck.Clip(text)}");
        return outcome;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Generates one workflow file.</summary>
    public static string Generate(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        t_hostile = random.Next(3) == 0;
        var agents = Enumerable.Range(1, random.Next(1, 5)).Select(i => $"agent{i}").ToList();
        var doc = new Dictionary<string, object?>();
        doc["version"] = Either<object?>(random, 1, 2, "1", null);
        if (random.Next(10) > 0) doc["name"] = Either(random, "fuzz-flow", "", "a/b", "x:y", new string('n', 300));
        if (random.Next(2) == 0) doc["inputs"] = new Dictionary<string, object?> { ["topic"] = new Dictionary<string, object?> { ["type"] = Either(random, "string", "number", "boolean", "object", "array", "date"), ["default"] = t_hostile ? Value(random, 0) : "fuzz" } };
        doc["models"] = new Dictionary<string, object?>
        {
            ["m"] = new Dictionary<string, object?>
            {
                ["provider"] = Either(random, "scripted", "openai", "nope"),
                ["replies"] = Enumerable.Range(0, random.Next(t_hostile ? 0 : 1, 4)).Select(_ => Pick<object?>(random, "done", "{\"analysis\": \"x\", \"confidence\": 0.5}", "{ not json", new Dictionary<string, object?> { ["tool"] = "unknown_tool", ["args"] = new Dictionary<string, object?> { ["x"] = 1 } }, new Dictionary<string, object?> { ["text"] = "t", ["confidence"] = Either<object?>(random, 0.5, 2.5, -1, "high") })).ToList(),
            },
        };
        var agentMap = new Dictionary<string, object?>();
        foreach (var name in agents)
        {
            agentMap[name] = random.Next(t_hostile ? 4 : 3) switch
            {
                0 => new Dictionary<string, object?> { ["template"] = Template(random), ["json"] = Either<object?>(random, false, true, "yes") },
                1 => new Dictionary<string, object?> { ["model"] = Either(random, "m", "missing"), ["instructions"] = Template(random), ["output"] = Either<object?>(random, "text", Schema(random), 3), ["maxTurns"] = Either<object?>(random, 3, 0, -1, "many") },
                2 => new Dictionary<string, object?> { ["workflow"] = Step(random, agents, 2) },
                _ => new Dictionary<string, object?> { ["model"] = "m", ["instructions"] = "x", ["guardrails"] = new Dictionary<string, object?> { ["input"] = new List<object?> { new Dictionary<string, object?> { ["check"] = Expression(random), ["message"] = "no" } } } },
            };
        }

        doc["agents"] = agentMap;
        doc["workflow"] = Step(random, agents, random.Next(1, 5));
        if (random.Next(4) == 0) doc["on"] = new Dictionary<string, object?> { [Either(random, "fuzz.*", "*", "a.b", "*.*.x", "bad topic")] = Either<object?>(random, agents[0], "missing") };
        if (random.Next(3) == 0) doc["limits"] = new Dictionary<string, object?> { ["maxSteps"] = Either<object?>(random, 50, 1, 0, -5, "x"), ["timeout"] = Either(random, "5s", "1ms", "forever", "0s"), ["maxParallel"] = Either<object?>(random, 4, 1, 100000) };
        if (t_hostile && random.Next(5) == 0) doc[Pick(random, "unknown", "workflows", "Version")] = Value(random, 0);
        var text = new StringBuilder();
        Write(text, doc, 0);
        return text.ToString();
    }

    private static object? Step(Random random, List<string> agents, int depth)
    {
        var kind = depth <= 0 ? "ref" : Pick(random, StepKinds);
        var agent = Either(random, Pick(random, agents.ToArray()), "missing-agent");
        object? Child() => Step(random, agents, depth - 1);
        List<object?> Children() => Enumerable.Range(0, random.Next(t_hostile ? 0 : 1, 4)).Select(_ => Child()).ToList();
        Dictionary<string, object?> step = kind switch
        {
            "ref" => new() { ["agent"] = agent },
            "agent" => new() { ["agent"] = agent, ["as"] = Either<object?>(random, "result", null, "a b"), ["input"] = Template(random) },
            "sequential" => new() { ["sequential"] = Children() },
            "parallel" => new() { ["parallel"] = new Dictionary<string, object?> { ["branches"] = random.Next(2) == 0 ? Children() : Children().Select((c, i) => (c, i)).ToDictionary(p => $"b{p.i}", p => p.c), ["merge"] = Either(random, "concat", "list", "object", "sum", agent) } },
            "foreach" => new() { ["foreach"] = new Dictionary<string, object?> { ["items"] = Either(random, "[1, 2, 3]", Expressions), ["do"] = Child(), ["maxParallel"] = Either<object?>(random, 2, 1, 4, 0, "x") } },
            "route" => new() { ["route"] = new Dictionary<string, object?> { ["classify"] = Either(random, "'a'", Expressions.Append(agent).ToArray()), ["routes"] = new Dictionary<string, object?> { ["a"] = Child(), ["b"] = Children() }, ["default"] = Either(random, "a", "b", "c"), ["validate"] = Expression(random), ["maxAttempts"] = Either<object?>(random, 2, 1, 0) } },
            "states" => States(random, agents, depth),
            "vote" => new() { ["vote"] = new Dictionary<string, object?> { ["voters"] = Enumerable.Range(0, random.Next(t_hostile ? 0 : 1, 4)).Select(_ => (object?)Pick(random, agents.ToArray())).ToList(), ["strategy"] = Either(random, Pick(random, "unanimous", "majority", "weighted", "judge"), "chaos"), ["judge"] = agent, ["onTie"] = Either(random, Pick(random, "first", "judge"), "human", "coin") } },
            "ask" => new() { ["ask"] = random.Next(2) == 0 ? Template(random) : new Dictionary<string, object?> { ["prompt"] = Template(random), ["choices"] = new List<object?> { "yes", "no" }, ["timeout"] = Either(random, "1s", "never", "5m") } },
            "emit" => new() { ["emit"] = new Dictionary<string, object?> { ["topic"] = Either(random, "fuzz.event", "{{ input }}", "", "a..b"), ["data"] = Value(random, 0) } },
            "graph" => new() { ["graph"] = new Dictionary<string, object?> { ["nodes"] = new Dictionary<string, object?> { ["n1"] = new Dictionary<string, object?> { ["do"] = Child() }, ["n2"] = new Dictionary<string, object?> { ["do"] = Child(), ["after"] = new List<object?> { Either(random, "n1", "n2", "n3") } } }, ["output"] = Either(random, "n2", "n1", "zz") } },
            _ => new() { ["set"] = new Dictionary<string, object?> { ["x"] = Expression(random) } },
        };
        if (t_hostile && random.Next(6) == 0) step["id"] = Pick(random, "s1", "a/b", "x:y", "", "dup");
        if (random.Next(8) == 0) step["timeout"] = Either(random, "1s", "10ms", "never", "-1s");
        if (random.Next(10) == 0) step["retry"] = new Dictionary<string, object?> { ["maxAttempts"] = Either<object?>(random, 2, 1, 3, 0, 1000000), ["backoff"] = Either(random, "10ms", "1h", "x") };
        if (random.Next(10) == 0) step["onError"] = Step(random, agents, 0);
        // A bare agent name is a step too.
        return kind == "ref" && step.Count == 1 && random.Next(2) == 0 ? agent : step;
    }

    private static Dictionary<string, object?> States(Random random, List<string> agents, int depth)
    {
        var states = new Dictionary<string, object?>();
        var names = Enumerable.Range(1, random.Next(1, 4)).Select(i => $"st{i}").ToArray();
        foreach (var name in names)
        {
            states[name] = new Dictionary<string, object?>
            {
                ["do"] = Step(random, agents, depth - 1),
                ["next"] = random.Next(2) == 0
                    ? Either(random, Pick(random, names.Append("end").ToArray()), "nowhere")
                    : new List<object?> { new Dictionary<string, object?> { ["when"] = Expression(random), ["goto"] = Pick(random, names.Append("end").ToArray()) }, new Dictionary<string, object?> { ["goto"] = "end" } },
            };
        }

        var step = new Dictionary<string, object?> { ["states"] = states };
        if (random.Next(3) == 0) step["start"] = Either(random, names[0], "nowhere");
        return step;
    }

    private static Dictionary<string, object?> Schema(Random random) => new()
    {
        ["schema"] = t_hostile && random.Next(3) == 0
            ? new Dictionary<string, object?> { ["$ref"] = Pick(random, "http://127.0.0.1:9/schema.json", "#/definitions/x", "file:///etc/passwd") }
            : new Dictionary<string, object?> { ["type"] = Either(random, "object", "string", "nonsense"), ["properties"] = new Dictionary<string, object?> { ["analysis"] = new Dictionary<string, object?> { ["type"] = "string" } }, ["required"] = new List<object?> { "analysis" } },
    };

    private static object? Value(Random random, int depth) => random.Next(depth > 3 ? 5 : 8) switch
    {
        0 => "text",
        1 => random.Next(-1000, 1000),
        2 => random.NextDouble() * 1e300,
        3 => random.Next(2) == 0,
        4 => null,
        5 => Enumerable.Range(0, random.Next(0, 4)).Select(_ => Value(random, depth + 1)).ToList(),
        6 => new Dictionary<string, object?> { ["a"] = Value(random, depth + 1), ["b"] = Value(random, depth + 1) },
        _ => Template(random),
    };

    private static T Pick<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];

    private static string Expression(Random random) => t_hostile ? Pick(random, Expressions) : Pick(random, CleanExpressions);

    private static string Template(Random random) => t_hostile ? Pick(random, Templates) : Pick(random, CleanTemplates);

    /// <summary>The valid value, or in a hostile file now and then any of them.</summary>
    private static T Either<T>(Random random, T valid, params T[] any) => t_hostile && random.Next(3) == 0 ? Pick(random, any) : valid;

    /// <summary>Writes a value as block YAML (strings double-quoted with JSON escapes, which YAML reads the same).</summary>
    private static void Write(StringBuilder text, object? value, int indent)
    {
        switch (value)
        {
            case Dictionary<string, object?> map:
                foreach (var (key, item) in map)
                {
                    text.Append(' ', indent).Append(Scalar(key)).Append(':');
                    WriteChild(text, item, indent);
                }

                break;
            case List<object?> list:
                foreach (var item in list)
                {
                    text.Append(' ', indent).Append('-');
                    WriteChild(text, item, indent);
                }

                break;
        }
    }

    private static void WriteChild(StringBuilder text, object? item, int indent)
    {
        switch (item)
        {
            case Dictionary<string, object?> { Count: 0 }:
                text.Append(" {}\n");
                break;
            case List<object?> { Count: 0 }:
                text.Append(" []\n");
                break;
            case Dictionary<string, object?> or List<object?>:
                text.Append('\n');
                Write(text, item, indent + 2);
                break;
            default:
                text.Append(' ').Append(Scalar(item)).Append('\n');
                break;
        }
    }

    private static string Scalar(object? value) => value switch
    {
        null => "null",
        string s => JsonSerializer.Serialize(s),
        bool b => b ? "true" : "false",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => JsonSerializer.Serialize(value.ToString()),
    };
}
