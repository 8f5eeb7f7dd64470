using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Baton.Testing;
using Baton.Yaml;
using Xunit.Abstractions;

namespace Baton.Docs.Tests;

/// <summary>
/// Every <c>```yaml</c> block of docs/workflow-format.md is a workflow file that loads, or says why it is not one; those
/// marked runnable run on the scripted model and give the output the page says.
/// </summary>
/// <remarks>
/// The convention (also at the top of docs/workflow-format.md), given by an HTML comment just above a block's fence:
/// <list type="bullet">
/// <item>a block whose first line is <c>version: 1</c> is a whole file: it must read and build with Baton.Yaml, with no
/// errors (a <c>${env.NAME}</c> the environment does not set is set to a stand-in URL first, so secrets need not be set);</item>
/// <item><c>&lt;!-- run: INPUT -&gt; EXPECTED --&gt;</c>: the file also runs, on a fresh runtime on fake time (delays,
/// backoff and Retry-After take no real time) with its <c>on:</c> subscriptions, its input the JSON object INPUT with
/// each declared input's <c>default</c> filled in, as <c>baton run</c> does. EXPECTED is a JSON value the output must
/// equal (a JSON string compares with the output's text), <c>failed CODE</c> (the run fails with that error code) or
/// <c>waiting</c> (the run suspends on an <c>ask</c>);</item>
/// <item><c>&lt;!-- invalid: TEXT --&gt;</c>: the file must not load, and one of its errors must contain TEXT;</item>
/// <item><c>&lt;!-- snippet: fragment --&gt;</c> (or <c>snippet: skip REASON</c>): a part of a file, not loaded; listed
/// by <see cref="Fragments_are_listed"/>.</item>
/// </list>
/// Any other YAML block fails <see cref="Every_yaml_block_is_a_file_or_marked"/>, so an example cannot silently go untested.
/// </remarks>
public sealed partial class WorkflowFormatTests(ITestOutputHelper output)
{
    private const string Page = "docs/workflow-format.md";

    /// <summary>Every whole-file YAML block of the page, by its line.</summary>
    public static TheoryData<int> Files()
    {
        var data = new TheoryData<int>();
        foreach (var block in YamlBlocks().Where(IsFile)) data.Add(block.Line);
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Example_loads_and_runs_as_the_page_says(int line)
    {
        var block = YamlBlocks().Single(b => b.Line == line);
        var read = WorkflowFile.Read(WithStandInSecrets(block.Code), "example.yaml");
        var invalid = block.Marker is { } m && m.StartsWith("invalid:", StringComparison.Ordinal) ? m["invalid:".Length..].Trim() : null;
        if (invalid is not null)
        {
            Assert.False(read.IsValid, $"{block} was expected not to load");
            Assert.True(read.Errors.Any(e => e.Message.Contains(invalid, StringComparison.Ordinal)),
                $"{block}: no error contains '{invalid}'; the errors:\n{string.Join('\n', read.Errors.Select(e => Where(block, e)))}");
            return;
        }

        Assert.True(read.IsValid, $"{block} does not load:\n{string.Join('\n', read.Errors.Select(e => Where(block, e)))}");
        BuiltWorkflowFile built;
        try
        {
            built = WorkflowFile.Build(read.Document!);
        }
        catch (WorkflowFileException ex)
        {
            Assert.Fail($"{block} does not build:\n{string.Join('\n', ex.Errors.Select(e => Where(block, e)))}");
            return;
        }

        if (block.Marker is not { } marker || !marker.StartsWith("run:", StringComparison.Ordinal)) return;
        var (input, expected) = ParseRun(block, marker);
        foreach (var declared in read.Document!.Inputs)
        {
            if (!input.ContainsKey(declared.Name) && declared.Default is not null) input[declared.Name] = declared.Default.DeepClone();
        }

        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { Resources = built.Resources, TimeProvider = time, HumanWaitInMemory = TimeSpan.Zero });
        built.Subscribe(runtime);
        // The default one-hour deadline is a timer fake time could jump to while a failed attempt is still on its way
        // to arming its retry delay; an example whose subject is the deadline sets its own, and keeps it.
        var limits = built.Workflow.Limits ?? RunLimits.Default;
        var options = new RunOptions { Limits = limits.Timeout == RunLimits.Default.Timeout ? limits with { Timeout = null } : limits };
        var run = runtime.Start(built.Workflow, Payload.ParseJson(input.ToJsonString()), options);
        using var ended = new CancellationTokenSource();
        var retries = PassRetryDelaysAsync(run, time, ended.Token);
        var result = await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        await ended.CancelAsync();
        await retries;
        await runtime.Events.WhenIdleAsync().WaitAsync(TimeSpan.FromMinutes(1));
        output.WriteLine($"{block}: {result.Status} {result.Output} {result.Error?.Code} {result.Error?.Message}");

        if (expected == "waiting")
        {
            Assert.True(result.Status == RunStatus.Waiting, $"{block}: the run ended {result.Status}, not waiting ({result.Error?.Message})");
        }
        else if (expected.StartsWith("failed", StringComparison.Ordinal))
        {
            Assert.True(result.Status == RunStatus.Failed, $"{block}: the run ended {result.Status}, not failed: {result.Output}");
            Assert.Equal(expected["failed".Length..].Trim(), result.Error?.Code);
        }
        else
        {
            Assert.True(result.IsSuccess, $"{block}: the run ended {result.Status}: {result.Error?.Code} {result.Error?.Message}");
            var want = JsonNode.Parse(expected);
            if (want is JsonValue v && v.GetValueKind() == JsonValueKind.String) Assert.Equal(v.GetValue<string>(), result.Output!.AsText());
            else Assert.True(JsonNode.DeepEquals(want, JsonNode.Parse(result.Output!.AsJson().GetRawText())), $"{block}: the output {result.Output} is not {expected}");
        }
    }

    [Fact]
    public void Every_yaml_block_is_a_file_or_marked()
    {
        var blocks = YamlBlocks().ToArray();
        Assert.NotEmpty(blocks);
        var unmarked = blocks.Where(b => !IsFile(b) && Snippets.FragmentContext(b.Marker) is null && Snippets.SkipReason(b.Marker) is null).ToArray();
        Assert.True(unmarked.Length == 0, "YAML blocks that neither start with 'version: 1' nor are marked fragments:\n" + string.Join('\n', unmarked.Select(b => b.ToString())));
        var misplaced = blocks.Where(b => !IsFile(b) && b.Marker is { } m && (m.StartsWith("run:", StringComparison.Ordinal) || m.StartsWith("invalid:", StringComparison.Ordinal))).ToArray();
        Assert.True(misplaced.Length == 0, "run:/invalid: on blocks that are not whole files:\n" + string.Join('\n', misplaced.Select(b => b.ToString())));
    }

    [Fact]
    public void Fragments_are_listed()
    {
        foreach (var block in YamlBlocks().Where(b => !IsFile(b))) output.WriteLine($"{block}: not a whole file ({Snippets.SkipReason(block.Marker) ?? "fragment"})");
    }

    [Fact]
    public void Every_step_kind_and_top_level_key_has_an_example()
    {
        // The reference promises an example per kind and key: keep it from losing one silently.
        var files = string.Join('\n', YamlBlocks().Where(IsFile).Select(b => b.Code));
        string[] keys = ["sequential:", "parallel:", "foreach:", "route:", "states:", "vote:", "ask:", "emit:", "graph:", "set:",
            "inputs:", "models:", "resources:", "agents:", "workflow:", "on:", "limits:", "provider: openai", "provider: scripted",
            "onError:", "retry:", "timeout:", "as:", "input:", "id:", "resource:", "${env."];
        Assert.All(keys, k => Assert.Contains(k, files, StringComparison.Ordinal));
    }

    [Fact]
    public void A_wrong_expectation_is_caught()
    {
        var block = new CodeBlock(Page, 1, "yaml", "", "run: {\"a\": 1} -> failed expression");
        var (input, expected) = ParseRun(block, block.Marker!);
        Assert.Equal(1, input["a"]!.GetValue<int>());
        Assert.Equal("failed expression", expected);
        Assert.ThrowsAny<Exception>(() => ParseRun(block, "run: not json -> \"x\""));
    }

    /// <summary>
    /// Moves fake time only when the run says it waits on it: each retry's event names its delay, and the clock passes
    /// it once the delay's timer is armed. Nothing is guessed, so a later timer (a step's timeout) is never jumped to
    /// early. The examples' other time (a model's <c>delay:</c>, a deadline) is not run here.
    /// </summary>
    private static async Task PassRetryDelaysAsync(RunHandle run, FakeTime time, CancellationToken ended)
    {
        try
        {
            await foreach (var e in run.WatchAsync(ended))
            {
                if (e is StepRetryingEvent retrying) await time.AdvanceToTimerAsync(retrying.Delay, cancellationToken: ended);
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            // The run ended (or waits) before its event stream did.
        }
    }

    private static IEnumerable<CodeBlock> YamlBlocks() => MarkdownPage.Read(Page).Blocks.Where(b => b.Language is "yaml" or "yml");

    private static bool IsFile(CodeBlock block) => block.Code.StartsWith("version: 1", StringComparison.Ordinal);

    private static (JsonObject Input, string Expected) ParseRun(CodeBlock block, string marker)
    {
        var body = marker["run:".Length..];
        var arrow = body.IndexOf("->", StringComparison.Ordinal);
        if (arrow < 0) throw new FormatException($"{block}: a run marker is 'run: INPUT -> EXPECTED'");
        var input = JsonNode.Parse(body[..arrow].Trim()) as JsonObject ?? throw new FormatException($"{block}: the run's input must be a JSON object");
        return (input, body[(arrow + 2)..].Trim());
    }

    private static string WithStandInSecrets(string yaml)
    {
        // The file keeps its ${env.NAME}, so the reader's secret handling is what is tested; only the value is made up.
        foreach (Match m in EnvReference().Matches(yaml))
        {
            if (Environment.GetEnvironmentVariable(m.Groups[1].Value) is null) Environment.SetEnvironmentVariable(m.Groups[1].Value, $"https://stand-in.invalid/{m.Groups[1].Value}"); // a URL, in case it is an endpoint
        }

        return yaml;
    }

    private static string Where(CodeBlock block, WorkflowFileError error) => $"{block.File}:{block.Line + error.Line - 1}:{error.Column}: {error.Message}";

    [GeneratedRegex(@"\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex EnvReference();
}
