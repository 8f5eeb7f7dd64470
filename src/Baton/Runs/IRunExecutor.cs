namespace Baton;

/// <summary>
/// Executes runs somewhere other than this process — a cluster's workers (Baton.Orleans' <c>BatonCluster</c> is one) —
/// for a host that only hands runs on and steers them, such as the HTTP server of <c>baton serve --cluster</c>. The runs
/// live in the store the executors share; these calls reach them wherever they execute.
/// </summary>
public interface IRunExecutor
{
    /// <summary>Records a run of <paramref name="workflow"/> and starts it where runs execute; returns once it is stored.</summary>
    /// <returns>The run's id.</returns>
    Task<string> StartAsync(Workflow workflow, Payload? input = null, RunOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Answers a waiting run's open question: the run continues where runs execute. Returns null when the answer was
    /// accepted, else why it was refused (the run keeps waiting, nothing changed).
    /// </summary>
    Task<string?> AnswerAsync(string runId, string value, CancellationToken cancellationToken = default);

    /// <summary>Makes sure a stored run that should execute does: continued from its journal where runs execute when nobody alive holds it.</summary>
    Task ResumeAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Cancels a run for good, wherever it executes.</summary>
    Task CancelAsync(string runId, CancellationToken cancellationToken = default);
}
