namespace Baton.Storage.Postgres;

/// <summary>How <see cref="PostgresRunStore"/> reaches its database.</summary>
public sealed record PostgresRunStoreOptions
{
    /// <summary>An Npgsql connection string (its password is never logged or shown by Baton).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The schema Baton's tables live in; created when missing.</summary>
    public string Schema { get; init; } = "baton";

    /// <summary>Payloads larger than this (UTF-8 bytes) are stored once in the blob table, by content hash, and referenced.</summary>
    public int BlobThreshold { get; init; } = 64 * 1024;

    /// <summary>
    /// The clock for lease expiry and timestamps. Null (the default) uses the database's clock, so processes on
    /// machines whose clocks disagree still agree on when a lease has expired.
    /// </summary>
    public TimeProvider? TimeProvider { get; init; }
}
