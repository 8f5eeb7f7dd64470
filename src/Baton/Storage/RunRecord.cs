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
}
