namespace Baton.Storage;

/// <summary>
/// One committed fact of a run. Step completions carry their whole effect — output, state
/// changes, messages and the next step — so committing the entry commits the step.
/// </summary>
public sealed record JournalEntry
{
    private long _sequence;

    /// <summary>Position in the run's journal, assigned by the store on append, from 1.</summary>
    public long Sequence
    {
        get => _sequence;
        init => _sequence = value;
    }

    /// <summary>
    /// Numbers a fresh entry in place (the in-memory store's append), saving a copy per step;
    /// an entry already numbered is copied instead, so a shared entry never changes under its holder.
    /// </summary>
    internal JournalEntry Numbered(long sequence)
    {
        if (_sequence != 0) return this with { Sequence = sequence };
        _sequence = sequence;
        return this;
    }

    /// <summary>What the entry records.</summary>
    public required JournalEntryKind Kind { get; init; }

    /// <summary>
    /// The step activation's key: its deterministic position in the run (scope path, sequence
    /// number and step id), the same in every execution that takes the same path.
    /// </summary>
    public string? Key { get; init; }

    /// <summary>The step's id in its workflow.</summary>
    public string? StepId { get; init; }

    /// <summary>The step's output, the run's input (for <see cref="JournalEntryKind.RunStarted"/>) or output.</summary>
    public Payload? Payload { get; init; }

    /// <summary>How sure the agent was, when it said.</summary>
    public double? Confidence { get; init; }

    /// <summary>The failure, for failed steps and runs.</summary>
    public StepError? Error { get; init; }

    /// <summary>The step the run went to next in this scope, or null when the scope ended.</summary>
    public string? Next { get; init; }

    /// <summary>Attempts the step took.</summary>
    public int Attempts { get; init; }

    /// <summary>State writes the step made, applied through reducers in journal order.</summary>
    public IReadOnlyList<StateChange>? StateChanges { get; init; }

    /// <summary>Messages the step sent: events published on topics, and direct messages, requests and replies to agents of the run.</summary>
    public IReadOnlyList<Message>? Messages { get; init; }

    /// <summary>Ids of the direct messages the step took from its mailbox (consumed by this commit).</summary>
    public IReadOnlyList<string>? Received { get; init; }

    /// <summary>Tokens and cost the step spent.</summary>
    public Usage Usage { get; init; }

    /// <summary>When the step's first attempt started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When the entry was committed.</summary>
    public DateTimeOffset Timestamp { get; init; }
}
