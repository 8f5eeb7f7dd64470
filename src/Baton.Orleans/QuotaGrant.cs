namespace Baton.Orleans;

/// <summary>The answer to a <see cref="QuotaRequest"/>: a permit, or none yet (ask again).</summary>
[GenerateSerializer, Immutable]
public sealed record QuotaGrant
{
    /// <summary>The permit's id, to give it back with; null when none was free within the call's wait.</summary>
    [Id(0)] public Guid? Permit { get; init; }

    /// <summary>True when a permit was granted.</summary>
    public bool Granted => Permit is not null;
}
