using Baton.Storage;
using Microsoft.Extensions.Logging;

namespace Baton;

/// <summary>
/// What the host-side services (the event bus, people's answers) need from their host: start and resume runs, know
/// which run executes here, find a stored run's workflow. <see cref="BatonRuntime"/> is one; a cluster host is another.
/// </summary>
internal interface IRunLauncher
{
    IRunStore Store { get; }

    TimeProvider TimeProvider { get; }

    ILogger Logger { get; }

    /// <summary>How long an asking step waits in memory before its run suspends (infinite: never suspends).</summary>
    TimeSpan HumanWaitInMemory { get; }

    /// <summary>The type whose disposal stops the host from starting runs (an <see cref="ObjectDisposedException"/> naming it).</summary>
    string HostTypeName { get; }

    RunHandle? GetActiveRun(string runId);

    Workflow? ResolveWorkflow(RunRecord record);

    Task<RunHandle> ResumeAsync(string runId, Workflow? workflow = null, RunOptions? options = null, CancellationToken cancellationToken = default);

    Task<RunResult> RunAsync(Workflow workflow, Payload? input = null, RunOptions? options = null, CancellationToken cancellationToken = default);
}
