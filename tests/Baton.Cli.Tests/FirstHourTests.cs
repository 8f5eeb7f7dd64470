using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Baton.Cli.Tests;

/// <summary>A newcomer's first hour with the command: help, typos, reading runs, secrets, inputs, providers and choices.</summary>
public sealed class FirstHourTests : IDisposable
{
    private readonly BatonCommand _baton = new();

    public void Dispose() => _baton.Dispose();

    [Fact]
    public async Task Help_is_there_and_typos_get_a_did_you_mean()
    {
        var bare = await _baton.RunAsync();
        var help = await _baton.RunAsync("help");
        var helpShow = await _baton.RunAsync("help", "runs", "show");
        var command = await _baton.RunAsync("rn", "flow.yaml");
        var option = await _baton.RunAsync("run", "flow.yaml", "--inputs", "topic=x");
        var sub = await _baton.RunAsync("runs", "lst");
        var status = await _baton.RunAsync("runs", "list", "--status", "faild");

        Assert.Equal((2, 0, 0), (bare.Exit, help.Exit, helpShow.Exit));
        Assert.Contains("Commands:", bare.Stdout);
        Assert.Equal(bare.Stdout, help.Stdout);
        Assert.Matches(@"\n +run <FILE> +Run a workflow file", help.Stdout);
        Assert.Matches(@"\n +runs +Inspect and continue stored runs", help.Stdout);
        Assert.Contains("--json", helpShow.Stdout);
        Assert.Equal((2, "baton: unknown command 'rn' for 'baton'; did you mean 'run'?"), (command.Exit, command.Stderr.TrimEnd()));
        Assert.Equal((2, "baton: unknown option '--inputs' for 'baton run'; did you mean '--input'?"), (option.Exit, option.Stderr.TrimEnd()));
        Assert.Equal((2, "baton: unknown command 'lst' for 'baton runs'; did you mean 'list'?"), (sub.Exit, sub.Stderr.TrimEnd()));
        Assert.Equal((2, "baton: --status 'faild' is not a run status; did you mean 'failed'?: use running, waiting, succeeded, failed, cancelled"), (status.Exit, status.Stderr.TrimEnd()));
    }

    [Fact]
    public async Task Read_only_commands_create_no_store_and_a_missing_store_file_is_an_error()
    {
        var list = await _baton.RunAsync("runs", "list");
        var show = await _baton.RunAsync("runs", "show", "nope");
        var history = await _baton.RunAsync("runs", "history", "nope");
        var missing = await _baton.RunAsync("runs", "list", "--store", "typo.db");
        var validate = await _baton.RunAsync("validate", CommandTests.Sample("report.yaml"));
        var graph = await _baton.RunAsync("graph", CommandTests.Sample("report.yaml"));

        Assert.Equal((0, $"no runs in {Path.Combine(".baton", "baton.db")}"), (list.Exit, list.Stdout.TrimEnd()));
        Assert.Equal((2, 2), (show.Exit, history.Exit));
        Assert.Contains("there is no run 'nope'", show.Stderr);
        Assert.Equal((2, "baton: there is no store at 'typo.db' (no such SQLite file)"), (missing.Exit, missing.Stderr.TrimEnd()));
        Assert.Equal((0, 0), (validate.Exit, graph.Exit));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_baton.Folder));
    }

    private const string Mixed = """
        version: 1
        name: mixed
        models:
          local: { provider: scripted, replies: ["one", "two"] }
        agents:
          a: { model: local, instructions: "A." }
          b: { model: local, instructions: "B." }
          up: { template: "{{ input | upcase }}" }
        workflow:
          sequential:
            - parallel: { branches: { first: a, second: b } }
            - foreach: { items: "['x']", do: up }
        """;

    [Fact]
    public async Task Runs_show_prints_a_readable_summary_and_runs_list_a_table_with_filters()
    {
        var file = _baton.Write("mixed.yaml", Mixed);
        var broken = _baton.Write("broken.yaml", "version: 1\nname: broken\nworkflow:\n  sequential:\n    - set: { n: \"1\" }\n    - set: { m: \"nosuch.value\" }\n");
        var report = await _baton.JsonAsync(0, "run", file, "--json");
        var runId = report["runId"]!.GetValue<string>();
        var failed = await _baton.JsonAsync(1, "run", broken, "--json");

        var (exit, summary, _) = await _baton.RunAsync("runs", "show", runId);
        var (failedExit, failedSummary, _) = await _baton.RunAsync("runs", "show", failed["runId"]!.GetValue<string>());
        var (_, table, _) = await _baton.RunAsync("runs", "list");
        var onlyFailed = await _baton.JsonAsync(0, "runs", "list", "--status", "failed", "--json");
        var (_, none, _) = await _baton.RunAsync("runs", "list", "--workflow", "other");
        var history = JsonNode.Parse((await _baton.RunAsync("runs", "history", runId, "--json")).Stdout)!;

        Assert.Equal(0, exit);
        var lines = summary.Split('\n').Select(l => l.TrimEnd()).ToArray();
        Assert.Equal($"run {runId}: mixed, succeeded", lines[0]);
        Assert.Matches(@"^started \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z, ended \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(", lines[1]);
        Assert.Matches(@"^step +status +attempts +time +tokens$", lines.First(l => l.StartsWith("step", StringComparison.Ordinal)));
        // A step's time is wall-clock: "840 ms" usually, "1.09 s" on a busy machine; the format is the subject, not the speed.
        const string time = @"(\d+ ms|\d+\.\d\d s)";
        Assert.Matches(@"^parallel +succeeded +1 +" + time + "$", lines.Single(l => l.StartsWith("parallel", StringComparison.Ordinal)));
        Assert.Matches(@"^  first/a +succeeded +1 +" + time + @" +\d+$", lines.Single(l => l.StartsWith("  first/a", StringComparison.Ordinal)));
        Assert.Matches(@"^  0/up +succeeded +1 ", lines.Single(l => l.TrimStart().StartsWith("0/up", StringComparison.Ordinal)));
        Assert.Contains("output: [\"X\"]", lines);
        Assert.Equal(1, failedExit);
        Assert.Matches(@"\nerror in set-2 \(\w+\): .*nosuch", failedSummary);
        Assert.Matches(@"^id +workflow +status +started\n", table);
        Assert.Equal(2, table.TrimEnd().Split('\n').Length - 1);
        Assert.Equal(["broken"], onlyFailed["runs"]!.AsArray().Select(r => r!["workflow"]!.GetValue<string>()));
        Assert.Equal($"no runs with workflow other in {Path.Combine(".baton", "baton.db")}", none.TrimEnd());

        // One time format in every JSON the command prints.
        var times = new List<string>();
        foreach (var json in new JsonNode[] { report, failed, onlyFailed, history }) CollectTimes(json, times);
        Assert.NotEmpty(times);
        Assert.All(times, t => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", t));
    }

    /// <summary>Every string that looks like a date, anywhere in the JSON.</summary>
    private static void CollectTimes(JsonNode? node, List<string> times)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, value) in obj) CollectTimes(value, times);
                break;
            case JsonArray array:
                foreach (var item in array) CollectTimes(item, times);
                break;
            case JsonValue value when value.TryGetValue<string>(out var text) && System.Text.RegularExpressions.Regex.IsMatch(text, @"^\d{4}-\d\d-\d\d"):
                times.Add(text);
                break;
        }
    }

    [Fact]
    public async Task Unset_secrets_are_warnings_for_validate_and_graph_and_an_error_for_run()
    {
        var file = _baton.Write("remote.yaml", "version: 1\nname: remote\nmodels:\n  gpt: { provider: openai, model: gpt-4o-mini, apiKey: \"${env.BATON_TEST_UNSET_SECRET}\" }\nagents:\n  a: { model: gpt }\nworkflow: a\n");
        _baton.Environment["BATON_TEST_UNSET_SECRET"] = null;

        var validate = await _baton.RunAsync("validate", file);
        var graph = await _baton.RunAsync("graph", file);
        var run = await _baton.RunAsync("run", file);

        var warning = $"{file}:4:56: warning: 'apiKey' uses the environment variable BATON_TEST_UNSET_SECRET, which is not set (needed only to run the file)";
        Assert.Equal((0, $"{file}: valid", warning), (validate.Exit, validate.Stdout.TrimEnd(), validate.Stderr.TrimEnd()));
        Assert.Equal((0, warning), (graph.Exit, graph.Stderr.TrimEnd()));
        Assert.StartsWith("flowchart TD", graph.Stdout);
        Assert.Equal((2, $"{file}:4:56: 'apiKey' uses the environment variable BATON_TEST_UNSET_SECRET, which is not set"), (run.Exit, run.Stderr.TrimEnd()));
    }

    [Fact]
    public async Task A_template_reading_an_undeclared_input_fails_validation_with_a_suggestion()
    {
        var file = _baton.Write("idea.yaml", "version: 1\ninputs:\n  idea: { type: string }\nagents:\n  a: { template: \"Think about {{ inputs.ide }}.\" }\nworkflow: a\n");

        var (exit, _, stderr) = await _baton.RunAsync("validate", file);

        Assert.Equal((2, $"{file}:5:34: 'template' reads input 'ide', which is not declared; did you mean 'idea'?; the file declares idea"), (exit, stderr.TrimEnd()));
    }

    [Fact]
    public async Task Providers_name_the_endpoint_they_could_not_reach_and_a_missing_key_fails_first()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var file = _baton.Write("local.yaml", $"version: 1\nname: local\nmodels:\n  local: {{ provider: openai, model: llama3.1, endpoint: \"http://127.0.0.1:{port}/v1\" }}\nagents:\n  a: {{ model: local, instructions: \"Hi.\" }}\nworkflow:\n  agent: a\n  retry: {{ maxAttempts: 1 }}\n");
        var scripted = CommandTests.Sample("report.yaml");
        _baton.Environment["OPENAI_API_KEY"] = null;

        var refused = await _baton.RunAsync("run", file);
        var noKey = await _baton.RunAsync("run", scripted, "--model", "local=openai:gpt-4o-mini");
        var unknown = await _baton.RunAsync("run", scripted, "--model", "locl=ollama:llama3.1");

        Assert.Equal(1, refused.Exit);
        Assert.Contains($"could not connect to http://127.0.0.1:{port}/v1 (connection refused)", refused.Stderr);
        Assert.Equal((2, "baton: the model 'gpt-4o-mini' at https://api.openai.com/v1 needs an API key: set the environment variable OPENAI_API_KEY, or give the model an 'apiKey'"), (noKey.Exit, noKey.Stderr.TrimEnd()));
        Assert.Equal((2, "baton: --model locl: the file has no model 'locl'; did you mean 'local'? (it has local)"), (unknown.Exit, unknown.Stderr.TrimEnd()));
    }

    [Fact]
    public async Task An_answer_outside_the_choices_is_refused_and_changes_nothing_and_no_takes_the_other_path()
    {
        var (_, _, started) = await _baton.RunAsync("run", CommandTests.Sample("approval.yaml"));
        var runId = started.Split(' ')[1];
        var before = (await _baton.RunAsync("runs", "history", runId, "--json")).Stdout;

        var refused = await _baton.RunAsync("runs", "answer", runId, "--value", "maybe");
        var after = (await _baton.RunAsync("runs", "history", runId, "--json")).Stdout;
        var waiting = await _baton.JsonAsync(3, "runs", "show", runId, "--json");
        var no = await _baton.RunAsync("runs", "answer", runId, "--value", "no");

        Assert.Equal(2, refused.Exit);
        Assert.Contains("'maybe' is not one of the choices: 'yes', 'no'", refused.Stderr);
        Assert.Equal(before, after);
        Assert.Equal("waiting", waiting["status"]!.GetValue<string>());
        Assert.Equal((0, "Not published: the draft of the Q3 release notes goes back for another pass."), (no.Exit, no.Stdout.TrimEnd()));
    }
}
