namespace Baton.Cli;

/// <summary>A problem with what the user asked for (a file, an input, a run id): one line on stderr, exit 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
