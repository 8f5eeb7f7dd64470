namespace Baton.Benchmarks.Shapes;

/// <summary>The two in-process execution environments of Microsoft Agent Framework Workflows.</summary>
public enum MafEnvironment
{
    /// <summary><c>InProcessExecution.Lockstep</c>: supersteps run on the caller's task; events are flushed after each superstep.</summary>
    Lockstep,

    /// <summary><c>InProcessExecution.Default</c> (the off-thread one): supersteps run on a background task; events stream through a channel.</summary>
    Default,
}
