namespace Baton.Orleans;

/// <summary>What a resource's cluster-wide quota holds now.</summary>
[GenerateSerializer, Immutable]
public sealed record QuotaUse
{
    /// <summary>Permits held by calls in flight.</summary>
    [Id(0)] public int InFlight { get; init; }

    /// <summary>Calls waiting for a permit.</summary>
    [Id(1)] public int Waiting { get; init; }

    /// <summary>Calls started within the current window.</summary>
    [Id(2)] public int RequestsInWindow { get; init; }
}
