namespace Baton.Storage;

/// <summary>A write to a run was refused because another owner has taken its lease since.</summary>
public sealed class RunLeaseLostException : InvalidOperationException
{
    /// <summary>Creates the exception for a lost lease.</summary>
    public RunLeaseLostException(RunLease lease)
        : base($"run '{lease?.RunId}' is now held by another owner; '{lease?.Owner}' (epoch {lease?.Epoch}) may not advance it")
    {
        ArgumentNullException.ThrowIfNull(lease);
        Lease = lease;
    }

    /// <summary>The lease that was lost.</summary>
    public RunLease Lease { get; }
}
