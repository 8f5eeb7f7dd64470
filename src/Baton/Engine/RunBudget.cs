namespace Baton;

/// <summary>
/// What a run may still spend: steps (every branch's count), tokens and cost. Each check returns the error that
/// aborts the run when a limit is passed, or null.
/// </summary>
internal sealed class RunBudget(RunLimits limits)
{
    private readonly Lock _lock = new();
    private Usage _usage;
    private int _steps;

    public int StepCount => Volatile.Read(ref _steps);

    public Usage Usage
    {
        get
        {
            lock (_lock) return _usage;
        }
    }

    /// <summary>Counts a step about to run (or replay); the error when it passes the step limit.</summary>
    public StepError? CountStep(Step step, string key)
    {
        if (Interlocked.Increment(ref _steps) <= limits.MaxSteps) return null;
        return new StepError(ErrorKind.Fatal,
            $"the run reached its limit of {limits.MaxSteps} steps at step '{step.Id}' ({key}); raise RunLimits.MaxSteps (limits.maxSteps in a workflow file) if it is meant to run longer — every branch's steps count", step.Id) { Code = "step_limit" };
    }

    /// <summary>Usage spent before this execution (read from the journal): counted, never checked.</summary>
    public void Restore(Usage usage)
    {
        lock (_lock) _usage += usage;
    }

    /// <summary>Adds a committed step's usage; the error when the run is now over its token or cost budget.</summary>
    public StepError? Spend(Usage usage)
    {
        if (usage == default) return null;
        Usage total;
        lock (_lock) total = _usage += usage;
        if (limits.MaxTokens is { } maxTokens && total.TotalTokens > maxTokens)
        {
            return new StepError(ErrorKind.Fatal, $"the run spent {total.TotalTokens} tokens, over its budget of {maxTokens}") { Code = "budget" };
        }

        if (limits.MaxCost is { } maxCost && total.Cost > maxCost)
        {
            return new StepError(ErrorKind.Fatal, $"the run spent {total.Cost}, over its cost budget of {maxCost}") { Code = "budget" };
        }

        return null;
    }
}
