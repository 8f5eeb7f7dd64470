using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Baton.Storage.Tests.Failures;

/// <summary>
/// A PostgreSQL server of a test's own — its own data folder and port on 127.0.0.1 — so the test may restart it
/// without touching the server other tests share. Needs the server's binaries (<c>initdb</c>, <c>pg_ctl</c>) and, as
/// root, the <c>postgres</c> user to run them as.
/// </summary>
internal sealed class PrivatePostgres : IDisposable
{
    private static readonly string[] Folders = ["/usr/local/bin", .. Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")) : []];

    private static readonly Lazy<string?> Probe = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return "a private PostgreSQL server is started on Linux only";
        if (Bin("initdb") is null || Bin("pg_ctl") is null) return "PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)";
        if (Environment.UserName == "root" && Run("id", "-u", "postgres").Exit != 0) return "running as root, and there is no postgres user to run the server as";
        return null;
    });

    /// <summary>Why no private server can be started here, or null when one can.</summary>
    public static string? SkipReason => Probe.Value;

    private readonly string _folder;

    public PrivatePostgres()
    {
        _folder = Directory.CreateTempSubdirectory("baton-pg-").FullName;
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        if (Environment.UserName == "root") Check(Run("chown", "postgres", _folder), "chown");
        Check(AsServer(Bin("initdb")!, "-D", Data, "-A", "trust", "-U", "baton", "--no-sync"), "initdb");
        Start();
    }

    public int Port { get; }

    private string Data => Path.Combine(_folder, "data");

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=baton;Database=postgres;Timeout=5;Pooling=true";

    /// <summary>Stops the server (fast: connections are cut) and starts it again, waiting until it accepts connections.</summary>
    public void Restart()
    {
        Check(AsServer(Bin("pg_ctl")!, "-D", Data, "-m", "fast", "-w", "stop"), "pg_ctl stop");
        Start();
    }

    private void Start() =>
        Check(AsServer(Bin("pg_ctl")!, "-D", Data, "-w", "-l", Path.Combine(_folder, "server.log"), "-o", $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"), "pg_ctl start");

    public void Dispose()
    {
        AsServer(Bin("pg_ctl")!, "-D", Data, "-m", "immediate", "-w", "stop");
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string? Bin(string name) => Folders.Select(f => Path.Combine(f, name)).FirstOrDefault(File.Exists);

    private static (int Exit, string Output) AsServer(string program, params string[] args) =>
        Environment.UserName == "root" ? Run("runuser", ["-u", "postgres", "--", program, .. args]) : Run(program, args);

    private void Check((int Exit, string Output) result, string what)
    {
        if (result.Exit != 0) throw new InvalidOperationException($"{what} failed ({result.Exit}): {result.Output}");
    }

    private static (int Exit, string Output) Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        try
        {
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(120_000)) return (-1, $"{program} did not finish in 2 minutes");
            return (process.ExitCode, output.Result + error.Result);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}

/// <summary>A test that needs a private PostgreSQL server: skipped, saying why, where none can be started.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PrivatePostgresFactAttribute : FactAttribute
{
    public PrivatePostgresFactAttribute()
    {
        if (PrivatePostgres.SkipReason is { } reason) Skip = reason;
    }
}
