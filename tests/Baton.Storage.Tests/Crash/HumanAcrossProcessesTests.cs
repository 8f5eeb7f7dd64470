using System.Diagnostics;

namespace Baton.Storage.Tests.Crash;

/// <summary>A run asks a person and its process exits; a second process answers and finishes it, on one SQLite file.</summary>
public sealed class HumanAcrossProcessesTests
{
    [Fact]
    public async Task The_first_process_suspends_and_exits_and_the_second_answers_and_finishes_the_run()
    {
        var dir = Directory.CreateTempSubdirectory("baton-human-");
        try
        {
            var db = Path.Combine(dir.FullName, "baton.db");
            var log = Path.Combine(dir.FullName, "executions.log");

            var (exit, stdout) = await RunAsync(db, "approval", "approval-1", log);
            Assert.Equal(3, exit);
            Assert.Contains("waiting Publish start>draft?", stdout);

            var (rejectedExit, rejected) = await RunAsync(db, "approval", "approval-1", log, "perhaps");
            Assert.Equal(2, rejectedExit);
            Assert.Contains("rejected 'perhaps' is not one of the choices", rejected);

            var (finishedExit, finished) = await RunAsync(db, "approval", "approval-1", log, "yes");
            Assert.Equal(0, finishedExit);
            Assert.Contains("output " + System.Text.Json.JsonSerializer.Serialize("yes>publish"), finished);
            // The draft ran once, in the first process; only the publication ran in the second.
            Assert.Equal(["approval-1/1:draft", "approval-1/3:publish"], File.ReadAllLines(log));
        }
        finally
        {
            try { dir.Delete(recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<(int Exit, string Stdout)> RunAsync(string db, string shape, string runId, string log, string? answer = null)
    {
        var host = Path.Combine(AppContext.BaseDirectory, "Baton.CrashHost.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { host, db, shape, runId, log }) info.ArgumentList.Add(arg);
        if (answer is not null) info.ArgumentList.Add(answer);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }
}
