namespace Baton;

/// <summary>
/// How a scope (a workflow, a branch, a node) ended, as a value: the engine passes outcomes up from child scopes
/// to the composite steps and the run instead of throwing, so every pattern ends a branch the same way.
/// </summary>
internal readonly record struct ScopeOutcome
{
    private ScopeOutcome(OutcomeKind kind, Payload? output, double? confidence, StepError? error, HumanRequest? request)
    {
        Kind = kind;
        Output = output;
        Confidence = confidence;
        Error = error;
        Request = request;
    }

    public OutcomeKind Kind { get; }

    /// <summary>The output, when completed.</summary>
    public Payload? Output { get; }

    public double? Confidence { get; }

    /// <summary>The failure or the reason of the stop, for every kind but completed and suspended.</summary>
    public StepError? Error { get; }

    /// <summary>The question the run waits on, when suspended.</summary>
    public HumanRequest? Request { get; }

    /// <summary>True for the kinds that stop more than the scope: suspended, aborted and cancelled.</summary>
    public bool IsHalt => Kind is OutcomeKind.Suspended or OutcomeKind.Aborted or OutcomeKind.Cancelled;

    public static ScopeOutcome Completed(Payload output, double? confidence) => new(OutcomeKind.Completed, output, confidence, null, null);

    public static ScopeOutcome Failed(StepError error) => new(OutcomeKind.Failed, null, null, error, null);

    public static ScopeOutcome Suspended(HumanRequest request) => new(OutcomeKind.Suspended, null, null, null, request);

    public static ScopeOutcome Aborted(StepError error) => new(OutcomeKind.Aborted, null, null, error, null);

    public static ScopeOutcome Cancelled { get; } = new(OutcomeKind.Cancelled, null, null, new StepError(ErrorKind.Fatal, "cancelled") { Code = "cancelled" }, null);

    /// <summary>The outcome as a composite step's result: a halt rides on the result so the step ends at once and the kernel stops with it.</summary>
    public AgentResult ToResult() => Kind switch
    {
        OutcomeKind.Completed => new AgentResult { Output = Output!, Confidence = Confidence },
        OutcomeKind.Failed => AgentResult.Failure(Error!),
        _ => new AgentResult { Output = Payload.Empty, Error = Error ?? new StepError(ErrorKind.Fatal, "the run suspended") { Code = "suspended" }, Halt = new StepHalt(this) },
    };
}

/// <summary>A halt (suspension, abort or cancellation) carried by a composite step's result up to the kernel.</summary>
internal sealed class StepHalt(ScopeOutcome outcome)
{
    public ScopeOutcome Outcome { get; } = outcome;
}
