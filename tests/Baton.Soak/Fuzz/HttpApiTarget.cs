using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Baton.Server;
using Baton.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Baton.Soak.Fuzz;

/// <summary>
/// Requests to <c>MapBaton</c> on Kestrel at 127.0.0.1 (the sample workflow files, a SQLite store): every endpoint, with
/// bad JSON, huge bodies, wrong types, unknown and absurd ids, odd methods and headers, and now and then a real run to
/// steer. Every answer must be below 500, and an error must be the documented <c>{ error: { message, code } }</c>.
/// </summary>
public sealed class HttpApiTarget : IFuzzTarget
{
    private static readonly string[] Paths =
    [
        "/api/workflows", "/api/runs", "/api/runs/{id}", "/api/runs/{id}/events", "/api/runs/{id}/graph", "/api/runs/{id}/answer",
        "/api/runs/{id}/cancel", "/api/runs/{id}/resume", "/api/runs/{id}/fork", "/api/runs?status={x}&workflow={x}&limit={x}", "/api/nothing", "/api/runs/{id}/{x}",
    ];

    private static readonly string[] Bodies =
    [
        "", "{", "null", "[]", "42", "\"text\"", "{\"workflow\": 5}", "{\"workflow\": \"report\", \"inputs\": []}", "{\"workflow\": \"report\", \"inputs\": {\"topic\": 5}}",
        "{\"workflow\": \"report\", \"inputs\": {\"nope\": 1}}", "{\"workflow\": \"nope\"}", "{\"value\": 7}", "{\"value\": null}", "{\"value\": \"yes\"}", "{\"at\": -1}",
        "{\"at\": 1e400}", "{\"at\": \"2\", \"state\": 4}", "{\"at\": 2, \"state\": {\"x\": {\"y\": []}}}", "{\"workflow\": \"approval\", \"inputs\": {\"topic\": \"x\"}}",
        "{\"workflow\": \"report\"}", "{\"workflow\": \"report\", \"workflow\": \"approval\"}", "\uFEFF{}", "{\"a\": \"\uD800\"}",
    ];

    private readonly List<string> _runIds = [];
    private WebApplication? _app;
    private SqliteRunStore? _store;
    private HttpClient? _client;
    private string _dir = "";

    /// <inheritdoc/>
    public string Name => "http";

    /// <inheritdoc/>
    public int Weight => 10;

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _dir = FuzzDirectory.Create("baton-fuzz-http-");
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "seeds"), "*.yaml")) File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)));
        var store = _store = new SqliteRunStore(new SqliteRunStoreOptions { Path = Path.Combine(_dir, "baton.db") });
        var builder = WebApplication.CreateSlimBuilder();
        if (Environment.GetEnvironmentVariable("BATON_FUZZ_DEBUG") != "1") builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Services.AddBatonServer(o =>
        {
            o.WorkflowFiles.Add(_dir);
            o.Store = store;
        });
        _app = builder.Build();
        _app.MapBaton();
        await _app.StartAsync(cancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(15) };
    }

    /// <inheritdoc/>
    public async Task<FuzzOutcome> RunAsync(int index, Random random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(random);
        var id = random.Next(6) switch
        {
            0 or 1 when _runIds.Count > 0 => _runIds[random.Next(_runIds.Count)],
            2 => Pick(random, "..", "%2e%2e", "%00", "a%2Fb", "\u00e9", new string('i', random.Next(1, 5000)), "' OR 1=1 --", "-1", "%"),
            _ => Guid.NewGuid().ToString("N"),
        };
        var path = Pick(random, Paths).Replace("{id}", Uri.EscapeDataString(id).Replace("%25", "%", StringComparison.Ordinal), StringComparison.Ordinal)
            .Replace("{x}", Uri.EscapeDataString(Pick(random, "running", "bogus", "0", "-1", "1001", "50", "", "\u00e9")), StringComparison.Ordinal);
        var method = Pick(random, HttpMethod.Get, HttpMethod.Post, HttpMethod.Post, HttpMethod.Post, HttpMethod.Delete, HttpMethod.Put, HttpMethod.Options);
        using var request = new HttpRequestMessage(method, path);
        if (method != HttpMethod.Get)
        {
            var body = random.Next(random.Next(10) == 0 ? 12 : 3, 12) switch
            {
                0 => "{\"workflow\": \"report\", \"inputs\": {\"topic\": \"" + new string('x', random.Next(500_000, 1_500_000)) + "\"}}",
                1 => new string('[', random.Next(100, 200_000)) + new string(']', random.Next(0, 200_000)),
                2 => string.Concat(Enumerable.Repeat("{\"a\":", random.Next(10, 3000))) + "1" + new string('}', random.Next(0, 3000)),
                _ => Pick(random, Bodies),
            };
            request.Content = new StringContent(body, Encoding.UTF8, Pick(random, "application/json", "application/json", "text/plain", "application/x-www-form-urlencoded"));
        }

        if (random.Next(10) == 0) request.Headers.TryAddWithoutValidation(Pick(random, "Origin", "Authorization", "Last-Event-ID", "Host"), Pick(random, "http://evil.example", "Bearer x", "-5", "99999999999999999999", "localhost"));
        var bodyLength = request.Content is null ? 0 : (await request.Content.ReadAsStringAsync(cancellationToken)).Length;
        HttpResponseMessage sent;
        try
        {
            sent = await _client!.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The client's own timeout: the server never answered. Named, so the request can be made again by hand.
            throw new FuzzFailure($"{method} {path} ({bodyLength} characters of body): no answer within {_client!.Timeout.TotalSeconds:0} s");
        }

        using var response = sent;
        var status = (int)response.StatusCode;
        if (status >= 500) throw new FuzzFailure($"{method} {path} answered {status}: {await ReadAsync(response, cancellationToken)}");
        // An event stream stays open while its run does: the headers are the answer.
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream") return FuzzOutcome.Accepted;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (status >= 400)
        {
            // Baton's own refusals are JSON errors; a route ASP.NET Core does not know (404, 405) has no body of Baton's.
            if (response.Content.Headers.ContentType?.MediaType == "application/json")
            {
                var error = JsonNode.Parse(text)?["error"];
                if (error?["message"] is null || error["code"] is null) throw new FuzzFailure($"{method} {path} answered {status} without {{ error: {{ message, code }} }}: {Clip(text)}");
            }

            return FuzzOutcome.Refused;
        }

        if (method == HttpMethod.Post && path == "/api/runs" && response.StatusCode == HttpStatusCode.Accepted && JsonNode.Parse(text)?["runId"]?.GetValue<string>() is { } runId)
        {
            lock (_runIds) _runIds.Add(runId);
        }

        return FuzzOutcome.Accepted;
    }

    private static async Task<string> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        Clip(await response.Content.ReadAsStringAsync(cancellationToken));

    private static string Clip(string text) => text.Length <= 2000 ? text : text[..2000] + "…";

    private static T Pick<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_store is not null) await _store.DisposeAsync();

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            if (_dir.Length > 0) Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the system to clean.
        }
    }
}
