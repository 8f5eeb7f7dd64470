namespace Baton.Cli;

/// <summary>The command's exit codes, as WORKFLOW-FORMAT.md writes them.</summary>
internal static class ExitCodes
{
    public const int Succeeded = 0;
    public const int Failed = 1;
    public const int Invalid = 2;
    public const int Waiting = 3;
    public const int NotFinished = 4;
    public const int Cancelled = 130;

    /// <summary>The exit code of a command that ran or continued a run, by how it ended.</summary>
    public static int For(RunStatus status) => status switch
    {
        RunStatus.Succeeded => Succeeded,
        RunStatus.Waiting => Waiting,
        RunStatus.Cancelled => Cancelled,
        _ => Failed,
    };

    /// <summary><c>runs show</c>'s exit code: by the run's status, 3 while it waits for a person, 4 while it runs.</summary>
    public static int ForShow(RunStatus status) => status == RunStatus.Running ? NotFinished : For(status);
}
