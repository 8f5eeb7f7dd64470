using Baton.CrashHost;

namespace Baton.ClusterHost;

/// <summary>The crash shapes a cluster worker runs and the cluster soak kills.</summary>
public static class ClusterShapes
{
    /// <summary>
    /// Every crash shape but two: <c>events</c> (the event bus is per worker, so a child run's event published on a
    /// worker that dies is not redelivered by another: a documented limit of the cluster, not a crash to check) and
    /// <c>tool-approval</c> (its tools report executions without their run, which several runs at once need).
    /// </summary>
    public static IReadOnlyList<string> All { get; } = CrashWorkflows.AllShapes.Where(s => s is not ("events" or "tool-approval")).ToArray();
}
