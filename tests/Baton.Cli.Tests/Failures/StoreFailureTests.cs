using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Baton.Cli.Tests.Failures;

/// <summary>
/// The command when the store fails under it: the engine's own error is printed (never "there is no run" or a
/// "running" run with no error), and a file that is not Baton's is refused, untouched.
/// </summary>
public sealed class StoreFailureTests : IDisposable
{
    private readonly BatonCommand _baton = new();

    public void Dispose() => _baton.Dispose();

    private const string Flow = """
        version: 1
        name: notes
        inputs:
          topic: { type: string }
        agents:
          echo: { template: "notes on {{ inputs.topic | size }} characters" }
        workflow:
          sequential: [echo]
        """;

    [TmpfsFact]
    public async Task A_full_disk_is_reported_with_the_engines_error_not_as_a_missing_run()
    {
        using var disk = new Tmpfs(4);
        var store = Path.Combine(disk.Folder, "baton.db");
        var file = _baton.Write("notes.yaml", Flow);
        var (first, _, firstError) = await _baton.RunAsync("run", file, "--input", "topic=short", "--store", store);
        Assert.True(first == 0, firstError);

        // Room to open the store, not to journal an input of 300,000 characters.
        disk.Fill(leaveBytes: 200 * 1024);
        _baton.Write("big.json", new JsonObject { ["topic"] = new string('x', 300_000) }.ToJsonString());
        var (exit, stdout, stderr) = await _baton.RunAsync("run", file, "--input-file", "big.json", "--store", store, "--json");

        Assert.True(exit == 1, $"exit {exit}: {stderr}");
        Assert.DoesNotContain("there is no run", stderr);
        var report = JsonNode.Parse(stdout)!;
        Assert.Equal("failed", report["status"]!.GetValue<string>());
        Assert.Equal("start", report["error"]!["code"]!.GetValue<string>());
        Assert.Contains($"the SQLite store '{store}' could not be written: the disk is full", report["error"]!["message"]!.GetValue<string>());

        // The text form says the same.
        var (textExit, _, textError) = await _baton.RunAsync("run", file, "--input-file", "big.json", "--store", store);
        Assert.Equal(1, textExit);
        Assert.Contains("failed: the run could not start: the SQLite store", textError);
        Assert.Contains("the disk is full", textError);
    }

    [Fact]
    public async Task Another_applications_SQLite_file_is_refused_and_gains_no_tables()
    {
        var path = Path.Combine(_baton.Folder, "inventory.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE items (sku TEXT PRIMARY KEY, count INTEGER); INSERT INTO items VALUES ('a-1', 3);";
            command.ExecuteNonQuery();
        }

        var before = File.ReadAllBytes(path);
        var file = _baton.Write("notes.yaml", Flow);

        var run = await _baton.RunAsync("run", file, "--input", "topic=x", "--store", path);
        var list = await _baton.RunAsync("runs", "list", "--store", path);

        Assert.Equal(2, run.Exit);
        Assert.Contains($"baton: '{path}' is not a Baton store", run.Stderr);
        Assert.Contains("items", run.Stderr);
        Assert.Equal(2, list.Exit);
        Assert.Contains("is not a Baton store", list.Stderr);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_refused_by_name()
    {
        var path = _baton.Write("notes.txt", string.Concat(Enumerable.Repeat("meeting notes, not a database\n", 100)));
        var file = _baton.Write("notes.yaml", Flow);

        var (exit, _, stderr) = await _baton.RunAsync("run", file, "--input", "topic=x", "--store", path);

        Assert.Equal(2, exit);
        Assert.Contains($"'{path}' is not a SQLite database", stderr);
    }
}
