namespace Baton.Cli.Tests;

/// <summary>A long run killed with SIGKILL through the command, then <c>baton runs resume</c>.</summary>
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

    [Fact]
    public async Task A_run_killed_mid_way_resumes_to_the_uninterrupted_output_without_re_running_completed_steps()
    {
        var file = _baton.Write("slow.yaml", Slow);
        var uninterrupted = await _baton.JsonAsync(0, "run", file, "--json");

        using var process = _baton.Start("run", file);
        string? runId = null;
        var completed = 0;
        while (await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { } line)
        {
            if (line.StartsWith("run ", StringComparison.Ordinal)) runId = line.Split(' ')[1];
            if (line.Contains(": completed", StringComparison.Ordinal) && ++completed == 2) break;
        }

        process.Kill(entireProcessTree: true); // SIGKILL, mid-run
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(runId);
        var killed = await _baton.JsonAsync(1, "runs", "show", runId!, "--json");
        Assert.Equal("running", killed["status"]!.GetValue<string>());
        var before = killed["steps"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).ToArray();
        Assert.True(before.Length is >= 2 and < 6, string.Join(",", before));

        var resumed = await _baton.JsonAsync(0, "runs", "resume", runId!, "--json");

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
}
