namespace Baton.Storage.Sqlite;

/// <summary>
/// The SQLite store's file stayed locked by another process (or connection) for longer than
/// <see cref="SqliteRunStoreOptions.BusyTimeout"/>: nothing was written.
/// </summary>
public sealed class SqliteStoreLockedException : IOException
{
    /// <summary>Creates the exception with a message naming the file and how long it waited.</summary>
    public SqliteStoreLockedException(string message, Exception? innerException = null) : base(message, innerException) { }
}
