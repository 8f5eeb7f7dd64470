namespace Baton.Storage.Sqlite;

/// <summary>Where and how <see cref="SqliteRunStore"/> keeps runs.</summary>
public sealed record SqliteRunStoreOptions
{
    /// <summary>The database file; its folder is created when missing. Default <c>.baton/baton.db</c> under the current folder.</summary>
    public string Path { get; init; } = System.IO.Path.Combine(".baton", "baton.db");

    /// <summary>Payloads larger than this (UTF-8 bytes) are stored once in the blob table, by content hash, and referenced.</summary>
    public int BlobThreshold { get; init; } = 64 * 1024;

    /// <summary>
    /// True to make every commit survive a power loss (<c>synchronous=FULL</c>); the default (<c>NORMAL</c> with the
    /// write-ahead log) survives any process crash and loses at most the last commits on a power loss, several times faster.
    /// </summary>
    public bool SurvivePowerLoss { get; init; }

    /// <summary>The most appends written in one transaction (group commit).</summary>
    public int MaxBatch { get; init; } = 256;

    /// <summary>
    /// How long a write waits while another process holds the file locked before it fails with
    /// <see cref="SqliteStoreLockedException"/>. Default 30 seconds.
    /// </summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock for lease expiry and timestamps; the system clock when null.</summary>
    public TimeProvider? TimeProvider { get; init; }
}
