using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Baton.Cli.Tests;

/// <summary>A long run killed with SIGKILL through the command, then <c>baton runs show</c> and <c>baton runs resume</c>.</summary>
public sealed class CrashTests : IDisposable
{
    private readonly BatonCommand _baton = new();

    public void Dispose() => _baton.Dispose();

    private const string Slow = """
        version: 1
        name: slow-report
        models:
          slow:
            provider: scripted
            delay: 300ms
            replies: ["one", "two", "three", "four", "five"]
        agents:
          a: { model: slow, instructions: "Step A." }
          b: { model: slow, instructions: "Step B." }
          c: { model: slow, instructions: "Step C." }
          d: { model: slow, instructions: "Step D." }
          e: { model: slow, instructions: "Step E." }
          collect: { template: "{{ state.a }} {{ state.b }} {{ state.c }} {{ state.d }} {{ input }}" }
        workflow:
          sequential:
            - { agent: a, as: a }
            - { agent: b, as: b }
            - { agent: c, as: c }
            - { agent: d, as: d }
            - e
            - collect
        """;

    /// <summary>Starts <c>baton run FILE</c> and kills it (SIGKILL) once a progress line containing <paramref name="until"/> appeared <paramref name="times"/> times.</summary>
    private async Task<(string RunId, int ProcessId)> RunAndKillAsync(string file, string until, int times)
    {
        using var process = _baton.Start("run", file);
        string? runId = null;
        var seen = 0;
        while (await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { } line)
        {
            if (line.StartsWith("run ", StringComparison.Ordinal)) runId = line.Split(' ')[1];
            if (line.Contains(until, StringComparison.Ordinal) && ++seen == times) break;
        }

        var processId = process.Id;
        process.Kill(entireProcessTree: true); // SIGKILL, mid-run
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(runId);
        return (runId!, processId);
    }

    /// <summary>The run's lease as the command's SQLite file holds it.</summary>
    private (string? Owner, long Epoch) Lease(string runId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_baton.Folder, ".baton", "baton.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT lease_owner, lease_epoch FROM runs WHERE run_id = $id";
        read.Parameters.AddWithValue("$id", runId);
        using var reader = read.ExecuteReader();
        Assert.True(reader.Read());
        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1));
    }

    [Fact]
    public async Task A_run_killed_mid_way_resumes_at_once_to_the_uninterrupted_output_without_re_running_completed_steps()
    {
        var file = _baton.Write("slow.yaml", Slow);
        var uninterrupted = await _baton.JsonAsync(0, "run", file, "--json");

        var (runId, processId) = await RunAndKillAsync(file, ": completed", 2);
        var killed = await _baton.JsonAsync(4, "runs", "show", runId, "--json"); // 4: not finished
        Assert.Equal("running", killed["status"]!.GetValue<string>());
        var before = killed["steps"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).ToArray();
        Assert.True(before.Length is >= 2 and < 6, string.Join(",", before));
        // The killed process still holds the run's unexpired lease, under an owner naming its machine and process.
        var (deadOwner, deadEpoch) = Lease(runId);
        Assert.StartsWith($"baton:{Environment.MachineName}:{processId}:", deadOwner);

        var (exit, stdout, stderr) = await _baton.RunAsync("runs", "resume", runId, "--json");

        Assert.True(exit == 0, stderr);
        // Taken from the dead holder at once (a steal, then the resume's own take: two epochs), not after the lease expired.
        Assert.Contains($"run {runId} was held by process {processId}, which no longer runs: taken over", stderr);
        Assert.DoesNotContain("waiting for its lease to expire", stderr);
        Assert.Equal(((string?)null, deadEpoch + 2), Lease(runId));
        var resumed = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal("one two three four five", uninterrupted["output"]!.GetValue<string>());
        Assert.Equal(uninterrupted["output"]!.GetValue<string>(), resumed["output"]!.GetValue<string>());
        var steps = resumed["steps"]!.AsArray();
        Assert.Equal(["a", "b", "c", "d", "e", "collect"], steps.Select(s => s!["id"]!.GetValue<string>()));
        // A step completed before the kill keeps its journal entry: the same start time, one attempt, not run again.
        foreach (var id in before)
        {
            var old = killed["steps"]!.AsArray().Single(s => s!["id"]!.GetValue<string>() == id)!;
            var now = steps.Single(s => s!["id"]!.GetValue<string>() == id)!;
            Assert.Equal(old["startedAt"]!.GetValue<string>(), now["startedAt"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_composite_in_flight_at_a_kill_is_reported_running_from_its_first_childs_start()
    {
        var file = _baton.Write("fan.yaml", """
            version: 1
            name: fan
            models:
              quick: { provider: scripted, replies: ["quick"] }
              slow: { provider: scripted, delay: 60s, replies: ["slow"] }
            agents:
              a: { model: quick, instructions: "A." }
              b: { model: slow, instructions: "B." }
            workflow:
              sequential:
                - parallel: { branches: { fast: a, slow: b } }
            """);
        var (runId, _) = await RunAndKillAsync(file, "parallel/fast/a: completed", 1);

        var shown = await _baton.JsonAsync(4, "runs", "show", runId, "--json");

        var steps = shown["steps"]!.AsArray();
        Assert.Equal(["parallel", "parallel/fast/a"], steps.Select(s => s!["path"]!.GetValue<string>()));
        var parallel = steps[0]!;
        Assert.Equal(("running", (string?)null, (string?)null), (parallel["status"]!.GetValue<string>(), parallel["parent"]?.GetValue<string>(), parallel["endedAt"]?.GetValue<string>()));
        Assert.Equal(steps[1]!["startedAt"]!.GetValue<string>(), parallel["startedAt"]!.GetValue<string>());
        Assert.Equal(("succeeded", "parallel"), (steps[1]!["status"]!.GetValue<string>(), steps[1]!["parent"]!.GetValue<string>()));
        var (textExit, text, _) = await _baton.RunAsync("runs", "show", runId);
        Assert.Equal(4, textExit);
        Assert.StartsWith($"run {runId}: fan, running", text);
        Assert.Contains($"run {runId} has not finished", text);
        Assert.Matches(@"\n  fast/a +succeeded +1 ", text);

        // The killed process's lease is taken over at once to cancel the run; the composite never ended.
        var (cancelExit, _, cancelErr) = await _baton.RunAsync("runs", "cancel", runId);
        Assert.True(cancelExit == 0, cancelErr);
        var cancelled = await _baton.JsonAsync(130, "runs", "show", runId, "--json");
        Assert.Equal(["cancelled", "succeeded"], cancelled["steps"]!.AsArray().Select(s => s!["status"]!.GetValue<string>()));
        Assert.Equal("cancelled", cancelled["error"]!["code"]!.GetValue<string>());
    }
}
