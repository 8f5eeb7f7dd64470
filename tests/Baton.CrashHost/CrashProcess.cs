using System.Diagnostics;

namespace Baton.CrashHost;

/// <summary>
/// Runs the crash host (this project's program) as a child process, and kills it with SIGKILL after a number of step
/// executions: the mechanics the crash tests and the soak share.
/// </summary>
public static class CrashProcess
{
    /// <summary>How long a child may stay silent before it counts as hung.</summary>
    public static TimeSpan Silence { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Starts a run (or resumes it, or answers it with <paramref name="answer"/>) in a paced child process and SIGKILLs
    /// it once it has started <paramref name="killAfter"/> step executions (and <paramref name="extraMs"/> more ms). Each
    /// step waits for the go-ahead, and the steps after the last one let go never get it, so however slow the machine,
    /// the kill lands before the run can finish.
    /// </summary>
    /// <returns>Killed, with the keys whose execution started in this process; or not killed, with the host's last line
    /// (<c>output …</c>, <c>waiting …</c>, <c>failed …</c>) when the run ended or waited first.</returns>
    /// <exception cref="TimeoutException">The child hung.</exception>
    public static async Task<CrashKill> RunAndKillAsync(CrashInvocation invocation, int killAfter, int extraMs)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        using var process = Start(invocation, paced: true);
        var stderr = process.StandardError.ReadToEndAsync();
        var started = new List<string>();
        string? last = null;
        while (await process.StandardOutput.ReadLineAsync().WaitAsync(Silence) is { } line)
        {
            if (!line.StartsWith("executed ", StringComparison.Ordinal))
            {
                last = line;
                continue;
            }

            started.Add(line["executed ".Length..]);
            // The step that started goes ahead (the kill then lands while it works, commits, or the next one waits).
            await process.StandardInput.WriteLineAsync("go");
            await process.StandardInput.FlushAsync();
            if (started.Count == killAfter)
            {
                // A random few ms more: where in the step the kill lands varies with the seed, not whether it lands mid-run.
                if (extraMs > 0) await Task.Delay(extraMs);
                // SIGKILL: no finally blocks, no flush, no lease release. The host starts no processes, so the tree is not
                // walked: that reads all of /proc first, and on a busy machine let the step finish before the kill.
                process.Kill();
                await process.WaitForExitAsync().WaitAsync(Silence);
                return new CrashKill(true, started, null, process.ExitCode);
            }
        }

        await process.WaitForExitAsync().WaitAsync(Silence);
        var error = await stderr;
        return new CrashKill(false, started, string.IsNullOrEmpty(error) ? last : $"{last}\n{error}", process.ExitCode);
    }

    /// <summary>Runs (or resumes, or answers) a run in an unpaced child process to its end; its exit code and output.</summary>
    /// <exception cref="TimeoutException">The child hung.</exception>
    public static async Task<(int Exit, string Stdout)> RunToEndAsync(CrashInvocation invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        using var process = Start(invocation, paced: false);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Silence);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static Process Start(CrashInvocation invocation, bool paced)
    {
        var host = Path.Combine(AppContext.BaseDirectory, "Baton.CrashHost.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = paced, UseShellExecute = false };
        if (paced) info.Environment["BATON_CRASH_PACED"] = "1";
        if (invocation.Ledger is not null) info.Environment["BATON_CRASH_LEDGER"] = invocation.Ledger;
        if (invocation.Postgres is not null) info.Environment[CrashStores.PostgresVariable] = invocation.Postgres;
        foreach (var arg in new[] { host, invocation.Store, invocation.Shape, invocation.RunId, invocation.Log }) info.ArgumentList.Add(arg);
        if (invocation.Answer is not null) info.ArgumentList.Add(invocation.Answer);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the crash host");
    }
}
