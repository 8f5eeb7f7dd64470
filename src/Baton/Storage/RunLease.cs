namespace Baton.Storage;

/// <summary>
/// The right to advance one run, held by one owner (a process or runtime) until it expires or is released.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Owner">Who holds it.</param>
/// <param name="Epoch">Incremented by every take: a fencing token older holders' writes are checked against.</param>
/// <param name="ExpiresAt">When another owner may take the run unless it is renewed, by the store's clock.</param>
public sealed record RunLease(string RunId, string Owner, long Epoch, DateTimeOffset ExpiresAt);
