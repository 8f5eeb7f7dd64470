namespace Baton.CrashHost;

/// <summary>What became of a paced start.</summary>
/// <param name="Killed">True when the SIGKILL landed before the run ended or waited.</param>
/// <param name="Started">The idempotency keys whose execution started in the process, in order.</param>
/// <param name="LastLine">When not killed: the host's last line (and its error output, if any).</param>
/// <param name="ExitCode">The process's exit code.</param>
public sealed record CrashKill(bool Killed, IReadOnlyList<string> Started, string? LastLine, int ExitCode);
