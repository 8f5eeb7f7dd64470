namespace Baton.Orleans;

/// <summary>
/// One run of the cluster (its key is the run's id). Whichever worker activates it executes the run, journaling to the
/// shared store under the run's lease; when that worker dies, the next call (or the cluster's sweep) activates it on
/// another worker, which continues the run from its journal.
/// </summary>
public interface IRunGrain : IGrainWithStringKey
{
    /// <summary>Records the run and starts it; a run that already exists is continued instead (a retried start is harmless).</summary>
    Task<ClusterRunState> StartAsync(ClusterRunStart start);

    /// <summary>Makes sure the run is executing when it should be: resumed here from its journal when nobody holds it or its worker died.</summary>
    Task<ClusterRunState> EnsureRunningAsync();

    /// <summary>Waits up to <paramref name="timeout"/> for the run to settle (end, or wait for a person), first making sure it executes.</summary>
    Task<ClusterRunState> WaitAsync(TimeSpan timeout);

    /// <summary>
    /// Answers the run's open question (the oldest one): the step waiting for it in memory wakes, or the suspended run
    /// continues on this worker. Returns null when the answer was accepted, else why it was refused (the run keeps waiting).
    /// </summary>
    Task<string?> AnswerAsync(string value);

    /// <summary>Cancels the run for good (its worker stops its steps through their cancellation tokens).</summary>
    Task CancelAsync();
}
