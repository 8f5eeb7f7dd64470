using System.Diagnostics;
using Baton.Storage.Sqlite;

namespace Baton.Storage.Tests.Crash;

/// <summary>
/// A tool call that needs approval, across processes on a SQLite file: asked in one process, answered in another that
/// is killed (SIGKILL) mid-call, resumed in a third. Nothing runs unapproved, the approval is not asked again, and a
/// call that completed before the kill never runs again.
/// </summary>
public sealed class ToolApprovalCrashTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("baton-tool-crash-");

    public void Dispose()
    {
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData("tool:refund", new[] { "tool:refund", "tool:refund", "tool:notify" })]   // killed before the refund completed: it runs again, approved once
    [InlineData("tool:notify", new[] { "tool:refund", "tool:notify", "tool:notify" })]   // killed after the refund completed: it never runs again
    public async Task An_approved_call_survives_a_kill_without_running_unapproved_or_twice(string killAt, string[] expected)
    {
        var db = Path.Combine(_dir.FullName, "runs.db");
        var log = Path.Combine(_dir.FullName, "tools.log");
        const string runId = "tool-approval-1";

        var (exit, stdout) = await RunToEndAsync(db, runId, log);
        Assert.True(exit == 3, stdout);
        Assert.Contains("waiting Allow the tool 'refund' to run with {\"amount\":30}", stdout);
        Assert.False(File.Exists(log) && File.ReadAllLines(log).Length > 0, "a tool ran before its approval");

        // Another process answers yes and runs the call; it is killed when the run reaches `killAt`.
        using (var answering = Start(db, runId, log, "yes"))
        {
            while (await answering.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) is { } line)
            {
                Assert.False(line.StartsWith("output ", StringComparison.Ordinal), "the run finished before the kill");
                if (line != "executed " + killAt)
                {
                    if (line.StartsWith("executed ", StringComparison.Ordinal)) await GoAsync(answering);
                    continue;
                }

                answering.Kill(entireProcessTree: true); // SIGKILL: no finally blocks, no lease release
                break;
            }

            await answering.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        var (resumedExit, resumed) = await RunToEndAsync(db, runId, log);
        Assert.True(resumedExit == 0, resumed);
        Assert.Contains("output \"refund done\"", resumed);
        Assert.Equal(expected, File.ReadAllLines(log));
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = db });
        Assert.Empty(await store.ListHumanRequestsAsync(runId, openOnly: true));
        Assert.Single(await store.ListHumanRequestsAsync(runId, openOnly: false));
    }

    private static async Task GoAsync(Process process)
    {
        await process.StandardInput.WriteLineAsync("go");
        await process.StandardInput.FlushAsync();
    }

    private static async Task<(int Exit, string Stdout)> RunToEndAsync(string db, string runId, string log)
    {
        using var process = Start(db, runId, log, answer: null, paced: false);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }

    private static Process Start(string db, string runId, string log, string? answer, bool paced = true)
    {
        var host = Path.Combine(AppContext.BaseDirectory, "Baton.CrashHost.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = paced, UseShellExecute = false };
        if (paced) info.Environment["BATON_CRASH_PACED"] = "1";
        foreach (var arg in new[] { host, db, "tool-approval", runId, log }) info.ArgumentList.Add(arg);
        if (answer is not null) info.ArgumentList.Add(answer);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the crash host");
    }
}
