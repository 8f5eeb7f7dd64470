namespace Baton.Cli;

/// <summary>The command's exit codes, as WORKFLOW-FORMAT.md writes them.</summary>
internal static class ExitCodes
{
    public const int Succeeded = 0;
    public const int Failed = 1;
    public const int Invalid = 2;
    public const int Waiting = 3;
    public const int Cancelled = 130;

    public static int For(RunStatus status) => status switch
    {
        RunStatus.Succeeded => Succeeded,
        RunStatus.Waiting => Waiting,
        RunStatus.Cancelled => Cancelled,
        _ => Failed,
    };
}
