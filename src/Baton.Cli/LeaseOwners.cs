using System.Diagnostics;
using System.Globalization;

namespace Baton.Cli;

/// <summary>
/// The command's lease owner ids, <c>baton:{machine}:{pid}:{random}</c>: they say which process on which machine holds
/// a run, so a run held by a process of this machine that no longer exists is taken at once instead of after its
/// lease expires.
/// </summary>
internal static class LeaseOwners
{
    private const string Prefix = "baton:";

    /// <summary>A new owner id for this process.</summary>
    public static string ForThisProcess() =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}");

    /// <summary>The machine and process an owner id names, when it is one of the command's.</summary>
    public static bool TryParse(string? owner, out string machine, out int processId)
    {
        machine = "";
        processId = 0;
        if (owner is null || !owner.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var parts = owner[Prefix.Length..].Split(':');
        // The machine name is everything before the last two parts.
        if (parts.Length < 3 || !int.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out processId)) return false;
        machine = string.Join(':', parts[..^2]);
        return machine.Length > 0;
    }

    /// <summary>True when the owner is a command process of this machine that no longer runs.</summary>
    public static bool IsDeadHere(string? owner)
    {
        if (!TryParse(owner, out var machine, out var processId) || !string.Equals(machine, Environment.MachineName, StringComparison.OrdinalIgnoreCase)) return false;
        if (processId == Environment.ProcessId) return false;
        try
        {
            using var process = Process.GetProcessById(processId);
            // A process id since reused by another program looks alive: the command then waits for the lease to expire, which is safe.
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }
}
