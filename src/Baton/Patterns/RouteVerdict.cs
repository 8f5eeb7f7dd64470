namespace Baton;

/// <summary>
/// A validator's verdict on a specialist's answer in a manager-worker route, as its reply reads:
/// <c>{ "approved": bool, "reason": text }</c> (the reason says why an answer was rejected).
/// </summary>
/// <param name="Approved">True when the answer is accepted.</param>
/// <param name="Reason">Why the answer was rejected; null when it was accepted.</param>
public sealed record RouteVerdict(bool Approved, string? Reason);
