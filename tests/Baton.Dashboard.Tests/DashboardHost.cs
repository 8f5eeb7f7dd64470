using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Baton.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;

namespace Baton.Dashboard.Tests;

/// <summary>
/// <c>baton serve samples/workflows</c> as the tests run it: a real Kestrel on 127.0.0.1 (a free port) with the API and
/// the dashboard, serving the repository's sample workflow files on a SQLite store of its own.
/// </summary>
internal sealed class DashboardHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _folder;
    private readonly SqliteRunStore _store;

    private DashboardHost(WebApplication app, string folder, SqliteRunStore store, Uri address)
    {
        _app = app;
        _folder = folder;
        _store = store;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    /// <summary>A model call that takes an hour: a run of it is surely still running while a test looks at it.</summary>
    public const string Slow = """
        version: 1
        name: slow
        description: One model call that takes an hour.
        models:
          local: { provider: scripted, delay: 1h, replies: ["Done at last."] }
        agents:
          think: { model: local, instructions: "Think." }
        workflow: think
        """;

    /// <param name="token">The bearer token the API wants, if any.</param>
    /// <param name="slow">Also serve <see cref="Slow"/>.</param>
    public static async Task<DashboardHost> StartAsync(string? token = null, bool slow = false)
    {
        var folder = Directory.CreateTempSubdirectory("baton-dashboard-").FullName;
        if (slow) await File.WriteAllTextAsync(Path.Combine(folder, "slow.yaml"), Slow);
        var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = Path.Combine(folder, "baton.db") });
        var (app, address) = await LoopbackBatonServer.StartAsync(o =>
        {
            o.WorkflowFiles.Add(Samples);
            if (slow) o.WorkflowFiles.Add(Path.Combine(folder, "slow.yaml"));
            o.Store = store;
            o.Token = token;
        });
        return new DashboardHost(app, folder, store, address);
    }

    /// <summary>The repository's samples/workflows folder.</summary>
    public static string Samples
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Baton.slnx"))) return Path.Combine(dir.FullName, "samples", "workflows");
            }

            throw new InvalidOperationException("the repository (Baton.slnx) is not above the test's folder");
        }
    }

    /// <summary>Starts a run through the API (as another program would) and returns its id.</summary>
    public async Task<string> StartRunAsync(string workflow, JsonObject? inputs = null)
    {
        using var response = await Client.PostAsync("/api/runs", new StringContent(new JsonObject { ["workflow"] = workflow, ["inputs"] = inputs ?? [] }.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!.GetValue<string>();
    }

    public async Task<JsonObject> ReportAsync(string runId) => (await Client.GetFromJsonAsync<JsonObject>($"/api/runs/{runId}"))!;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _store.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file on some systems: a temp folder left behind is harmless.
        }
    }
}
