namespace Baton;

/// <summary>
/// A watcher missed <paramref name="Count"/> events of the run just before the next one it gets: it
/// attached after more events than the run keeps for late watchers (<see cref="BatonOptions.EventWindow"/>),
/// or it fell further behind than its buffer holds. Only watchers see it; it is not one of the run's events.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Timestamp">When the first event after the gap happened.</param>
/// <param name="Count">How many events were skipped.</param>
public sealed record RunEventsSkippedEvent(string RunId, DateTimeOffset Timestamp, long Count) : RunEvent(RunId, Timestamp);
