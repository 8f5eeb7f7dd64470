namespace Baton;

/// <summary>Settings for one run.</summary>
public sealed record RunOptions
{
    /// <summary>The run's id; a new one is made when null.</summary>
    public string? RunId { get; init; }

    /// <summary>Limits for this run; else the workflow's, else the runtime's.</summary>
    public RunLimits? Limits { get; init; }

    /// <summary>The run that started this one, for child runs.</summary>
    public string? ParentRunId { get; init; }

    /// <summary>Where the workflow came from (a workflow file's full path), recorded so another process can rebuild it to resume the run.</summary>
    public string? Source { get; init; }

    /// <summary>The workflow's definition (for a workflow file, its text and the files it refers to), stored with the run as <see cref="Storage.RunRecord.Definition"/> so it is rebuilt as it was.</summary>
    public string? Definition { get; init; }
}
