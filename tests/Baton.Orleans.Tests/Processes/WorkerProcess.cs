using Baton.TestSupport;
using System.Diagnostics;

namespace Baton.Orleans.Tests.Processes;

/// <summary>A real <c>baton worker</c> process (the built Baton.Cli.dll) that joined the test's cluster.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<string> _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            // "worker orleans:127.0.0.1:PORT@GEN joined the cluster at ..."
            if (e.Data is { } line && line.StartsWith("worker ", StringComparison.Ordinal) && line.Contains(" joined the cluster", StringComparison.Ordinal))
            {
                _joined.TrySetResult(line.Split(' ')[1]);
            }
        };
        _process.OutputDataReceived += (_, _) => { };
        _process.Exited += (_, _) => _joined.TrySetException(new InvalidOperationException($"baton worker exited with {_process.ExitCode} before joining"));
        _process.EnableRaisingEvents = true;
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    /// <summary>The lease owner it holds runs as.</summary>
    public string Owner { get; private set; } = "";

    public bool HasExited => _process.HasExited;

    public static async Task<WorkerProcess> StartAsync(string cluster, string store)
    {
        var info = BatonCli.StartInfo("worker", "--cluster", cluster, "--store", store);
        var worker = new WorkerProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start baton worker"));
        worker.Owner = await worker._joined.Task.WaitAsync(TimeSpan.FromSeconds(120));
        return worker;
    }

    /// <summary>Ends it at once, as <c>kill -9</c> does: nothing is released, nothing flushed.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }
}
