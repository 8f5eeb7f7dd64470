namespace Baton.Storage;

/// <summary>Data in a store was written in a format this version cannot read (newer, or damaged).</summary>
public sealed class StoreFormatException : Exception
{
    /// <summary>Creates the exception with a message saying what was found and what is supported.</summary>
    public StoreFormatException(string message, Exception? innerException = null) : base(message, innerException) { }
}
