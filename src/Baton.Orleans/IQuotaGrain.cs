using Orleans.Concurrency;

namespace Baton.Orleans;

/// <summary>
/// The owner of one resource's quota for the whole cluster (its key is the resource's name): every worker's calls of the
/// resource take a permit here first, so its concurrency and requests and tokens per window hold across workers.
/// </summary>
public interface IQuotaGrain : IGrainWithStringKey
{
    /// <summary>Takes a permit, waiting up to <paramref name="wait"/> for one to free; a grant without a permit means "ask again".</summary>
    [AlwaysInterleave]
    Task<QuotaGrant> AcquireAsync(QuotaRequest request, TimeSpan wait);

    /// <summary>Gives a permit back when its call ended (its place in the window stays until the window passes).</summary>
    [AlwaysInterleave]
    Task ReleaseAsync(Guid permit);

    /// <summary>What the quota holds now.</summary>
    [AlwaysInterleave]
    Task<QuotaUse> GetUseAsync();
}
