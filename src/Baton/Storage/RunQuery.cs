namespace Baton.Storage;

/// <summary>Which runs <see cref="IRunStore.ListRunsAsync"/> returns; unset filters match every run.</summary>
public sealed record RunQuery
{
    /// <summary>Only runs with this status.</summary>
    public RunStatus? Status { get; init; }

    /// <summary>Only runs of this workflow.</summary>
    public string? Workflow { get; init; }

    /// <summary>Only children of this run.</summary>
    public string? ParentRunId { get; init; }

    /// <summary>Only runs started at or after this time.</summary>
    public DateTimeOffset? StartedAfter { get; init; }

    /// <summary>Only runs started before this time.</summary>
    public DateTimeOffset? StartedBefore { get; init; }

    /// <summary>At most this many runs (the newest).</summary>
    public int? Limit { get; init; }
}
