namespace Baton.Orleans;

/// <summary>Where a run of the cluster stands, as its grain saw it.</summary>
[GenerateSerializer, Immutable]
public sealed record ClusterRunState
{
    /// <summary>The run.</summary>
    [Id(0)] public required string RunId { get; init; }

    /// <summary>Its status in the store.</summary>
    [Id(1)] public required RunStatus Status { get; init; }

    /// <summary>The worker executing it (its lease owner), when one is.</summary>
    [Id(2)] public string? Worker { get; init; }

    /// <summary>True once the run has ended (succeeded, failed or cancelled) or waits for a person: nothing more happens until someone acts.</summary>
    public bool IsSettled => Status is not RunStatus.Running;
}
