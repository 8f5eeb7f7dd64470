namespace Baton.Soak.Fuzz;

/// <summary>
/// Where a target keeps the files of its inputs: in memory (<c>/dev/shm</c>) when the machine has it. A SQLite store
/// syncs its file to disk on commits and checkpoints; thousands of short-lived stores spent most of their time waiting
/// for the disk, which is not what they test (reading damaged rows back, not surviving a power cut).
/// </summary>
internal static class FuzzDirectory
{
    private const string Memory = "/dev/shm";

    /// <summary>Creates a new folder for a target's files, in memory when possible.</summary>
    public static string Create(string prefix)
    {
        if (Directory.Exists(Memory))
        {
            try
            {
                var dir = Path.Combine(Memory, prefix + Guid.NewGuid().ToString("N")[..12]);
                Directory.CreateDirectory(dir);
                return dir;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not writable here: the ordinary temporary folder will do, only slower.
            }
        }

        return Directory.CreateTempSubdirectory(prefix).FullName;
    }
}
