using System.Diagnostics.CodeAnalysis;
using Orleans.Runtime;

namespace Baton.Orleans;

/// <summary>
/// The lease owner a worker (a silo) holds runs under: <c>orleans:</c> and the silo's address, which names one silo
/// incarnation, so the cluster's membership can say when the holder of a run is dead.
/// </summary>
internal static class WorkerOwner
{
    private const string Prefix = "orleans:";

    public static string For(SiloAddress silo) => Prefix + silo.ToParsableString();

    public static bool TryParse(string? owner, [NotNullWhen(true)] out SiloAddress? silo)
    {
        silo = null;
        if (owner is null || !owner.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        try
        {
            silo = SiloAddress.FromParsableString(owner[Prefix.Length..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
