using Baton.TestSupport;
using System.Diagnostics;
using System.Text;

namespace Baton.Orleans.Tests.Processes;

/// <summary>A real <c>baton serve</c> process (the built Baton.Cli.dll) on a free port of 127.0.0.1.</summary>
internal sealed class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _stderr = new();

    private ServeProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not { } line) return;
            lock (_stderr) _stderr.AppendLine(line);
            // "baton serve: listening on http://127.0.0.1:PORT (the API under /api; ...)"
            const string Listening = "baton serve: listening on ";
            if (line.StartsWith(Listening, StringComparison.Ordinal)) _listening.TrySetResult(new Uri(line[Listening.Length..].Split(' ')[0]));
        };
        _process.OutputDataReceived += (_, _) => { };
        _process.Exited += (_, _) => _listening.TrySetException(new InvalidOperationException($"baton serve exited with {_process.ExitCode} before listening: {Stderr}"));
        _process.EnableRaisingEvents = true;
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    /// <summary>Where it listens: <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Its lease owner prefix: a server executing runs itself holds them as <c>baton:{machine}:{pid}:...</c>.</summary>
    public int ProcessId => _process.Id;

    public string Stderr
    {
        get
        {
            lock (_stderr) return _stderr.ToString();
        }
    }

    /// <summary>Starts <c>baton serve --port 0 ARGS...</c> and waits until it listens.</summary>
    public static async Task<ServeProcess> StartAsync(params string[] args)
    {
        var info = BatonCli.StartInfo(new[] { "serve", "--port", "0" }.Concat(args));
        info.Environment.Remove("BATON_TOKEN");
        var serve = new ServeProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start baton serve"));
        serve.Address = await serve._listening.Task.WaitAsync(TimeSpan.FromSeconds(120));
        return serve;
    }

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
