using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Baton.Storage;
using Baton.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;

namespace Baton.Server.Tests;

/// <summary>A real Kestrel server on 127.0.0.1 (a free port) serving the test workflow files on a SQLite store of its own.</summary>
internal sealed class ServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServerHost(WebApplication app, string folder, SqliteRunStore store, HttpClient client)
    {
        _app = app;
        Folder = folder;
        Store = store;
        Client = client;
    }

    public string Folder { get; }

    public SqliteRunStore Store { get; }

    public HttpClient Client { get; }

    /// <summary>True for a server that shares another's folder and store: disposing it leaves them.</summary>
    private bool Borrowed { get; init; }

    public static async Task<ServerHost> StartAsync(string? token = null, long maxBody = 1024 * 1024, TimeProvider? time = null, IEnumerable<(string Name, string Text)>? moreFiles = null)
    {
        var folder = Directory.CreateTempSubdirectory("baton-server-").FullName;
        foreach (var (name, text) in Files.All.Concat(moreFiles ?? [])) await File.WriteAllTextAsync(Path.Combine(folder, name), text);
        var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = Path.Combine(folder, "baton.db") });
        return await StartAsync(folder, store, token, maxBody, time);
    }

    /// <summary>Stops this server (its store stays open) and starts another on the same files and store, as after a restart.</summary>
    public async Task<ServerHost> RestartAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        var next = await StartAsync(Folder, Store, null, 1024 * 1024, null);
        return new ServerHost(next._app, Folder, Store, next.Client) { Borrowed = true };
    }

    private static async Task<ServerHost> StartAsync(string folder, SqliteRunStore store, string? token, long maxBody, TimeProvider? time)
    {
        var (app, address) = await LoopbackBatonServer.StartAsync(o =>
        {
            o.WorkflowFiles.Add(folder);
            o.Store = store;
            o.Token = token;
            o.MaxRequestBodyBytes = maxBody;
            o.TimeProvider = time;
        });
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        return new ServerHost(app, folder, store, client);
    }

    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, object? body = null, string? token = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body is string text ? text : ((JsonNode)body).ToJsonString(), Encoding.UTF8, "application/json");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Client.SendAsync(request);
        var content = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, content.Length == 0 || !response.Content.Headers.ContentType!.MediaType!.Contains("json") ? JsonValue.Create(content) : JsonNode.Parse(content));
    }

    public Task<(HttpStatusCode Status, JsonNode? Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string path, object? body = null) => SendAsync(HttpMethod.Post, path, body ?? new JsonObject());

    /// <summary>Starts a run and returns its id.</summary>
    public async Task<string> StartRunAsync(string workflow, JsonObject? inputs = null)
    {
        var (status, body) = await PostAsync("/api/runs", new JsonObject { ["workflow"] = workflow, ["inputs"] = inputs ?? [] });
        Assert.Equal(HttpStatusCode.Accepted, status);
        return body!["runId"]!.GetValue<string>();
    }

    /// <summary>Reads a run's event stream until <paramref name="stop"/> says so or the stream ends.</summary>
    public async Task<List<(long Id, JsonObject Data)>> ReadEventsAsync(string runId, long? lastEventId = null, Func<JsonObject, bool>? stop = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/runs/{runId}/events");
        if (lastEventId is { } last) request.Headers.Add("Last-Event-ID", last.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = new List<(long, JsonObject)>();
        if (response.StatusCode == HttpStatusCode.NoContent) return events;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        long id = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var data = JsonNode.Parse(line[6..])!.AsObject();
                events.Add((id, data));
                if (stop?.Invoke(data) == true) break;
            }
        }

        return events;
    }

    /// <summary>Every run in the store, and the length of each one's journal: to show a refused request changed nothing.</summary>
    public async Task<string> SnapshotAsync()
    {
        var text = new StringBuilder();
        foreach (var run in await Store.ListRunsAsync())
        {
            var journal = await Store.ReadJournalAsync(run.RunId);
            var open = await Store.ListHumanRequestsAsync(run.RunId, openOnly: true);
            text.Append($"{run.RunId} {run.Status} {journal.Count} {open.Count};");
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (Borrowed) return;
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file on some systems: a temp folder left behind is harmless.
        }
    }
}
