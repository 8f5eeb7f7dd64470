namespace Baton.AgentFramework;

/// <summary>A Baton run behind a <see cref="WorkflowAIAgent"/> did not succeed: it failed, or was cancelled.</summary>
public sealed class WorkflowRunException : Exception
{
    /// <summary>Creates the exception for <paramref name="result"/>.</summary>
    public WorkflowRunException(RunResult result)
        : base(Describe(result))
    {
        ArgumentNullException.ThrowIfNull(result);
        Result = result;
    }

    /// <summary>How the run ended: its id, status, error (with its code) and partial results.</summary>
    public RunResult Result { get; }

    private static string Describe(RunResult result) =>
        result.Error is { } error
            ? $"run {result.RunId} {result.Status.ToString().ToLowerInvariant()}: {error.Message}{(error.Code is null ? "" : $" ({error.Code})")}"
            : $"run {result.RunId} {result.Status.ToString().ToLowerInvariant()}";
}
