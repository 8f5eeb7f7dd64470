namespace Baton;

/// <summary>Something that happened in a run, in the order it happened.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Timestamp">When, by the run's clock.</param>
public abstract record RunEvent(string RunId, DateTimeOffset Timestamp);

/// <summary>The run started (or resumed).</summary>
public sealed record RunStartedEvent(string RunId, DateTimeOffset Timestamp, string Workflow, bool Resumed) : RunEvent(RunId, Timestamp);

/// <summary>A step's attempt started. <c>Key</c> in step events is the step's position in the run, unique per activation.</summary>
public sealed record StepStartedEvent(string RunId, DateTimeOffset Timestamp, string Key, string StepId, string? Agent, int Attempt) : RunEvent(RunId, Timestamp)
{
    /// <summary>The step's path in the run report (<c>parallel/first/a</c>, <c>states/analyze#3</c>).</summary>
    public string? Path { get; init; }

    /// <summary>The path of the step it is nested under, or null at the top.</summary>
    public string? Parent { get; init; }
};

/// <summary>
/// A step's attempt waited <paramref name="Waited"/> for a quota of <paramref name="Resource"/>
/// and now starts its call; emitted only when it had to wait (a wait that ends in failure is the
/// attempt's error, coded <c>quota_wait</c>).
/// </summary>
public sealed record StepWaitedForResourceEvent(string RunId, DateTimeOffset Timestamp, string Key, string StepId, string Resource, TimeSpan Waited) : RunEvent(RunId, Timestamp);

/// <summary>A step's attempt failed and will be tried again after <paramref name="Delay"/>.</summary>
public sealed record StepRetryingEvent(string RunId, DateTimeOffset Timestamp, string Key, string StepId, int Attempt, TimeSpan Delay, StepError Error) : RunEvent(RunId, Timestamp)
{
    /// <summary>The step's path in the run report (<c>parallel/first/a</c>, <c>states/analyze#3</c>).</summary>
    public string? Path { get; init; }

    /// <summary>The path of the step it is nested under, or null at the top.</summary>
    public string? Parent { get; init; }
};

/// <summary>A step finished and was committed to the journal.</summary>
public sealed record StepCompletedEvent(string RunId, DateTimeOffset Timestamp, string Key, string StepId, Payload Output, int Attempts, TimeSpan Duration, bool Replayed) : RunEvent(RunId, Timestamp)
{
    /// <summary>The step's path in the run report (<c>parallel/first/a</c>, <c>states/analyze#3</c>).</summary>
    public string? Path { get; init; }

    /// <summary>The path of the step it is nested under, or null at the top.</summary>
    public string? Parent { get; init; }

    /// <summary>Tokens and cost the step spent (its model calls).</summary>
    public Usage Usage { get; init; }
}

/// <summary>A step failed after its retries; the run follows its error route or fails.</summary>
public sealed record StepFailedEvent(string RunId, DateTimeOffset Timestamp, string Key, string StepId, StepError Error, int Attempts) : RunEvent(RunId, Timestamp)
{
    /// <summary>The step's path in the run report (<c>parallel/first/a</c>, <c>states/analyze#3</c>).</summary>
    public string? Path { get; init; }

    /// <summary>The path of the step it is nested under, or null at the top.</summary>
    public string? Parent { get; init; }
};

/// <summary>A step asked a person and waits for the answer; the run is <see cref="RunStatus.Waiting"/> until it comes (see <see cref="BatonRuntime.Humans"/>).</summary>
public sealed record StepWaitingForHumanEvent(string RunId, DateTimeOffset Timestamp, string Key, HumanRequest Request) : RunEvent(RunId, Timestamp);

/// <summary>An event an agent reported through <see cref="IStepContext.Report"/>.</summary>
public sealed record CustomRunEvent(string RunId, DateTimeOffset Timestamp, string Key, string Name, Payload? Data) : RunEvent(RunId, Timestamp);

/// <summary>A step's commit wrote a state variable (<paramref name="Update"/> is what it wrote, before the reducer).</summary>
public sealed record StateChangedEvent(string RunId, DateTimeOffset Timestamp, string Key, string Name, Payload Update) : RunEvent(RunId, Timestamp);

/// <summary>The run ended: succeeded, failed or cancelled.</summary>
public sealed record RunEndedEvent(string RunId, DateTimeOffset Timestamp, RunStatus Status, Payload? Output, StepError? Error) : RunEvent(RunId, Timestamp);
