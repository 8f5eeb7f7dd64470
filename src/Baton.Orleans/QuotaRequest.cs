namespace Baton.Orleans;

/// <summary>One call's request for a permit of a resource's cluster-wide quota, with the quota's limits as its worker knows them.</summary>
[GenerateSerializer, Immutable]
public sealed record QuotaRequest
{
    /// <summary>The worker asking (its lease owner name): its permits are freed when the cluster declares it dead.</summary>
    [Id(0)] public required string Holder { get; init; }

    /// <summary>Tokens the call reserves in the token window.</summary>
    [Id(1)] public int Tokens { get; init; }

    /// <summary>Calls in flight across the cluster at most.</summary>
    [Id(2)] public int? MaxConcurrency { get; init; }

    /// <summary>Calls started across the cluster per window at most.</summary>
    [Id(3)] public int? RequestsPerWindow { get; init; }

    /// <summary>Tokens reserved across the cluster per window at most.</summary>
    [Id(4)] public int? TokensPerWindow { get; init; }

    /// <summary>The rolling window of the per-window limits.</summary>
    [Id(5)] public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);
}
