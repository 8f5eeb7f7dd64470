namespace Baton.Storage;

/// <summary>A run as a store lists it.</summary>
public sealed record RunRecord
{
    /// <summary>The run's id.</summary>
    public required string RunId { get; init; }

    /// <summary>The workflow's name.</summary>
    public required string Workflow { get; init; }

    /// <summary>Where the run stands.</summary>
    public RunStatus Status { get; init; }

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The run that started it, for child runs.</summary>
    public string? ParentRunId { get; init; }

    /// <summary>
    /// Where the workflow came from, so another process can rebuild it to resume the run (for a
    /// workflow file, its full path); null for workflows built in code, which resume by name.
    /// </summary>
    public string? Source { get; init; }

    /// <summary>
    /// The workflow's definition as it was when the run started, stored with the run so resuming, answering and
    /// forking rebuild exactly that workflow wherever they run, even after its file was edited or moved (for a workflow
    /// file: a JSON bundle <c>{ "main": path, "files": { path: text } }</c> of the file and the files it refers to);
    /// null when the host stored none.
    /// </summary>
    public string? Definition { get; init; }

    /// <summary>Who holds the run's lease, when anyone does (informational: writes are fenced by the lease itself).</summary>
    public string? LeaseOwner { get; init; }

    /// <summary>When the current lease expires, when there is one.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }
}
