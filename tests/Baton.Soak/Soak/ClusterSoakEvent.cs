namespace Baton.Soak.Soak;

/// <summary>What the cluster soak's loop hears: a worker's line (null with no run: it exited), or a run that settled.</summary>
/// <param name="Worker">The worker that printed the line or exited; null for a run's end.</param>
/// <param name="Line">The line; null when the worker's output ended.</param>
/// <param name="RunEnded">The run that settled (or failed to), for a run's end.</param>
internal sealed record ClusterSoakEvent(ClusterWorker? Worker, string? Line, ClusterRunEnd? RunEnded);

/// <summary>A run of the cluster soak that settled (its end status), or whose following failed.</summary>
internal sealed record ClusterRunEnd(string RunId, RunStatus? Status, string? Error);
