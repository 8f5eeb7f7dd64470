using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;

namespace Baton.Cli.Tests.Secrets;

/// <summary>
/// Secrets never leak: every sample workflow, and a file whose model is reached with a key and a header from the
/// environment, run through the real command with marker secrets; then every byte the command wrote — the SQLite
/// database and its write-ahead log, stdout and stderr of every command, the JSON reports and histories — is scanned
/// for the markers. The same for a PostgreSQL password in a store setting and the bearer token of <c>baton serve</c>.
/// </summary>
public sealed partial class SecretLeakTests : IDisposable
{
    private readonly BatonCommand _baton = new();
    private readonly Dictionary<string, string> _markers;
    private readonly StringBuilder _written = new();

    public SecretLeakTests()
    {
        string Marker(string what) => $"{what}-{Guid.NewGuid():N}";
        _markers = new Dictionary<string, string>
        {
            ["BATON_MARKER_KEY"] = Marker("sk-marker-key"),
            ["BATON_MARKER_HEADER"] = Marker("marker-header"),
            ["OPENAI_API_KEY"] = Marker("sk-marker-ambient"),
            ["BATON_TOKEN"] = Marker("marker-token"),
        };
        foreach (var (name, value) in _markers) _baton.Environment[name] = value;
    }

    public void Dispose() => _baton.Dispose();

    private static string Samples
    {
        get
        {
            var here = new DirectoryInfo(AppContext.BaseDirectory); // tests/Baton.Cli.Tests/bin/<config>/<tfm>/
            return Path.Combine(here.Parent!.Parent!.Parent!.Parent!.Parent!.FullName, "samples", "workflows");
        }
    }

    /// <summary>A model reached with the marker key and header, added to a file's models.</summary>
    private const string ProbeModel = """
          secret-probe:
            provider: openai
            model: good-model
            endpoint: ${env.BATON_MARKER_ENDPOINT}
            apiKey: ${env.BATON_MARKER_KEY}
            headers: { X-Marker: "${env.BATON_MARKER_HEADER}" }
        """;

    private static string WithProbe(string yaml) =>
        TopLevelModels().IsMatch(yaml) ? TopLevelModels().Replace(yaml, "models:\n" + ProbeModel + "\n", 1) : yaml.TrimEnd() + "\n\nmodels:\n" + ProbeModel + "\n";

    [GeneratedRegex(@"^models:[ \t]*\r?\n", RegexOptions.Multiline)]
    private static partial Regex TopLevelModels();

    private async Task<(int Exit, string Stdout, string Stderr)> BatonAsync(params string[] args)
    {
        var result = await _baton.RunAsync(args);
        _written.Append(result.Stdout).Append(result.Stderr);
        return result;
    }

    /// <summary>Every marker absent from everything the commands printed and every file under the command's folder.</summary>
    private void AssertNoMarkerWritten()
    {
        var files = Directory.EnumerateFiles(_baton.Folder, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith("baton.db", StringComparison.Ordinal));
        var texts = files.Where(f => !f.EndsWith(".yaml", StringComparison.Ordinal))
            .Select(f => (f, Encoding.UTF8.GetString(File.ReadAllBytes(f)), Encoding.Unicode.GetString(File.ReadAllBytes(f))))
            .Append(("output of the commands", _written.ToString(), ""));
        foreach (var (where, utf8, utf16) in texts)
        {
            foreach (var (name, marker) in _markers)
            {
                Assert.False(utf8.Contains(marker, StringComparison.Ordinal) || utf16.Contains(marker, StringComparison.Ordinal), $"the value of {name} leaked into {where}");
            }
        }
    }

    [Fact]
    public async Task Every_sample_with_a_secret_reached_model_writes_no_secret_anywhere()
    {
        await using var server = new FakeOpenAiServer();
        _baton.Environment["BATON_MARKER_ENDPOINT"] = server.Endpoint;
        var samples = Directory.GetFiles(Samples, "*.yaml").OrderBy(f => f, StringComparer.Ordinal).ToList();
        Assert.True(samples.Count >= 10, $"samples found: {samples.Count}");
        foreach (var sample in samples)
        {
            var file = _baton.Write(Path.GetFileName(sample), WithProbe(File.ReadAllText(sample)));
            var (exit, _, stderr) = await BatonAsync("run", file);
            Assert.True(exit is 0 or 3, $"{Path.GetFileName(sample)}: exit {exit}: {stderr}");
            var runId = RunId().Match(stderr).Groups[1].Value;
            await BatonAsync("runs", "show", runId, "--json");
            await BatonAsync("runs", "history", runId, "--json");
        }

        await BatonAsync("runs", "list");
        AssertNoMarkerWritten();
    }

    [Fact]
    public async Task A_model_called_with_a_key_and_header_from_the_environment_leaks_neither_even_when_the_provider_echoes_them()
    {
        await using var server = new FakeOpenAiServer("The findings, summarised.");
        _baton.Environment["BATON_MARKER_ENDPOINT"] = server.Endpoint;
        var file = _baton.Write("probe.yaml", """
            version: 1
            name: secret-probe
            models:
              remote:
                provider: openai
                model: good-model
                endpoint: ${env.BATON_MARKER_ENDPOINT}
                apiKey: ${env.BATON_MARKER_KEY}
                headers: { X-Marker: "${env.BATON_MARKER_HEADER}" }
              careless:
                provider: openai
                model: hostile
                endpoint: ${env.BATON_MARKER_ENDPOINT}
                apiKey: ${env.BATON_MARKER_KEY}
                headers: { X-Marker: "${env.BATON_MARKER_HEADER}" }
            agents:
              writer: { model: remote, instructions: "Summarise the findings." }
              checker: { model: careless, instructions: "Check the summary." }
              fallback: { template: "checked without the checker: {{ input.error.message }}" }
            workflow:
              sequential:
                - writer
                - { agent: checker, onError: fallback }
            """);

        var (exit, stdout, stderr) = await BatonAsync("run", file, "--json");
        Assert.True(exit == 0, stderr);
        // The secrets were sent (the model was really reached with them) ...
        Assert.Contains(server.Requests, r => r.GetValueOrDefault("Authorization") == $"Bearer {_markers["BATON_MARKER_KEY"]}" && r.GetValueOrDefault("X-Marker") == _markers["BATON_MARKER_HEADER"]);
        // ... and the provider's echo of them reached the run's output only as [redacted].
        Assert.Contains("Incorrect API key provided: Bearer [redacted]; header X-Marker: [redacted]", stdout);
        var runId = RunId().Match(stderr).Groups[1].Value;
        await BatonAsync("runs", "show", runId, "--json");
        await BatonAsync("runs", "history", runId, "--json");
        AssertNoMarkerWritten();
    }

    [Fact]
    public async Task A_postgres_password_in_the_store_setting_is_never_printed()
    {
        var password = $"pg-marker-{Guid.NewGuid():N}";
        _markers["postgres password"] = password;
        var file = _baton.Write("flow.yaml", File.ReadAllText(Path.Combine(Samples, "report.yaml")));
        // Nothing listens on port 1: opening the store fails, and says so without the connection string.
        var (exit, _, stderr) = await BatonAsync("run", file, "--store", $"Host=127.0.0.1;Port=1;Username=baton;Password={password};Database=baton;Timeout=2");
        Assert.NotEqual(0, exit);
        Assert.Contains("cannot open the PostgreSQL store", stderr);
        var url = await BatonAsync("runs", "list", "--store", $"postgres://baton:{password}@127.0.0.1:1/baton");
        Assert.NotEqual(0, url.Exit);
        // Only the command's output can hold it: no SQLite store was made.
        Assert.DoesNotContain(password, _written.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bearer_token_of_serve_is_never_printed_nor_echoed()
    {
        using var process = _baton.Start("serve", "--port", "0", Path.Combine(Samples, "report.yaml"));
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderrLines = new List<string>();
        string? address = null;
        while (address is null && await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) is { } line)
        {
            stderrLines.Add(line);
            if (Listening().Match(line) is { Success: true } match) address = match.Groups[1].Value;
        }

        Assert.True(address is not null, string.Join("\n", stderrLines));
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        var token = _markers["BATON_TOKEN"];
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/workflows"))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token[..^1] + "x");
            using var refused = await http.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            _written.Append(await refused.Content.ReadAsStringAsync());
        }

        using (var right = new HttpRequestMessage(HttpMethod.Post, "/api/runs"))
        {
            right.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            right.Content = new StringContent("""{"workflow":"ai-trends-report","inputs":{"topic":"secrets"}}""", Encoding.UTF8, "application/json");
            using var started = await http.SendAsync(right);
            _written.Append(await started.Content.ReadAsStringAsync());
            Assert.True(started.IsSuccessStatusCode, $"{started.StatusCode}: {_written}");
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _written.Append(string.Join("\n", stderrLines)).Append(await process.StandardError.ReadToEndAsync()).Append(await stdout);
        AssertNoMarkerWritten();
    }

    [GeneratedRegex(@"run ([0-9a-f]{32}) started")]
    private static partial Regex RunId();

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex Listening();
}
