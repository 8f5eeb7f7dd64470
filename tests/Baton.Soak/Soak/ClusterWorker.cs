using System.Diagnostics;
using System.Threading.Channels;

namespace Baton.Soak.Soak;

/// <summary>
/// One paced cluster worker process (Baton.ClusterHost) of the cluster soak: its stdout lines go to the soak's one
/// channel, in order, and it is told "go KEY" to let a step work; the soak kills it with SIGKILL.
/// </summary>
internal sealed class ClusterWorker : IDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _errors = new();

    private ClusterWorker(int number, Process process, ChannelWriter<ClusterSoakEvent> events)
    {
        Number = number;
        _process = process;
        Reading = Task.Run(async () =>
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line) await events.WriteAsync(new ClusterSoakEvent(this, line, null));
            await _process.WaitForExitAsync();
            await events.WriteAsync(new ClusterSoakEvent(this, null, null));
        });
        _ = Task.Run(async () =>
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_errors)
                {
                    _errors.Enqueue(line);
                    if (_errors.Count > 20) _errors.Dequeue();
                }
            }
        });
    }

    /// <summary>Which worker this is, in start order.</summary>
    public int Number { get; }

    /// <summary>The lease owner it holds runs as, once it joined.</summary>
    public string? Owner { get; set; }

    /// <summary>True once the soak decided to kill it: its steps get no go-ahead any more.</summary>
    public bool Doomed { get; set; }

    /// <summary>True once it was killed or exited.</summary>
    public bool Gone { get; set; }

    /// <summary>The keys of the steps it let go (their work began in this process).</summary>
    public HashSet<string> WentAhead { get; } = new(StringComparer.Ordinal);

    /// <summary>Completes when all of its stdout was read and it exited.</summary>
    public Task Reading { get; }

    /// <summary>Its last lines of error output.</summary>
    public string Errors
    {
        get
        {
            lock (_errors) return string.Join(" | ", _errors);
        }
    }

    public static ClusterWorker Start(int number, string redis, string clusterId, string schema, string ledger, string postgres, ChannelWriter<ClusterSoakEvent> events)
    {
        var host = Path.Combine(AppContext.BaseDirectory, "Baton.ClusterHost.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        info.Environment["BATON_TEST_POSTGRES"] = postgres;
        foreach (var arg in new[] { host, redis, clusterId, schema, ledger }) info.ArgumentList.Add(arg);
        return new ClusterWorker(number, Process.Start(info) ?? throw new InvalidOperationException("could not start the cluster host"), events);
    }

    /// <summary>Lets the step with this idempotency key work.</summary>
    public async Task GoAsync(string key)
    {
        WentAhead.Add(key);
        try
        {
            await _process.StandardInput.WriteLineAsync("go " + key);
            await _process.StandardInput.FlushAsync();
        }
        catch (IOException)
        {
            // It died: its runs are the cluster's to continue.
        }
    }

    /// <summary>SIGKILL: no finally blocks, no flush, no lease release, no goodbye to the cluster.</summary>
    public async Task KillAsync()
    {
        Doomed = true;
        _process.Kill();
        await _process.WaitForExitAsync();
        Gone = true;
        // Whatever it printed before it died is read before anything is concluded from the store.
        await Reading;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }
}
