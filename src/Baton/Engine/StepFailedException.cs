namespace Baton;

/// <summary>A step failed with no error route: ends its workflow (and the run, unless a parent routes it).</summary>
internal sealed class StepFailedException(StepError error) : Exception(error.Message)
{
    public StepError Error { get; } = error;
}

/// <summary>The run must stop at once: a limit or budget was hit, or the journal does not fit the workflow.</summary>
internal sealed class RunAbortedException(StepError error) : Exception(error.Message)
{
    public StepError Error { get; } = error;
}
