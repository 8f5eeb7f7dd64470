using System.Diagnostics;

namespace Baton.Cli.Tests.Failures;

/// <summary>A small tmpfs mounted for one test (a disk that fills up), when this process may mount one.</summary>
internal sealed class Tmpfs : IDisposable
{
    private static readonly Lazy<string?> Probe = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return "a tmpfs needs Linux";
        try
        {
            using var probe = new Tmpfs(1);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            return ex.Message;
        }
    });

    /// <summary>Why no tmpfs can be mounted here (not root, no mount), or null when one can.</summary>
    public static string? SkipReason => Probe.Value;

    public Tmpfs(int megabytes)
    {
        Folder = Directory.CreateTempSubdirectory("baton-tmpfs-").FullName;
        var (exit, error) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", Folder);
        if (exit != 0)
        {
            Directory.Delete(Folder);
            throw new InvalidOperationException($"mounting a tmpfs is not permitted here (mount -t tmpfs exited {exit}: {error.Trim()}); run the tests as root to test a full disk");
        }
    }

    public string Folder { get; }

    /// <summary>Fills the disk, then frees <paramref name="leaveBytes"/>: room to open a store, not to write much.</summary>
    public void Fill(long leaveBytes)
    {
        var filler = Path.Combine(Folder, "filler");
        using (var stream = new FileStream(filler, FileMode.Create, FileAccess.Write))
        {
            var chunk = new byte[64 * 1024];
            try
            {
                while (true) stream.Write(chunk);
            }
            catch (IOException)
            {
                // The disk is full.
            }

            stream.SetLength(Math.Max(0, stream.Position - leaveBytes));
        }
    }

    public void Dispose()
    {
        Run("umount", "-l", Folder);
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    private static (int Exit, string Error) Run(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        try
        {
            using var process = Process.Start(info)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, error);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}

/// <summary>A test that needs a tmpfs: skipped, saying why, where none can be mounted.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Tmpfs.SkipReason is { } reason) Skip = reason;
    }
}
