
namespace Baton;

/// <summary>
/// The engine's hook into resources: runs one attempt of a step that names a resource through
/// it — waiting for its quotas (a <see cref="StepWaitedForResourceEvent"/> tells how long), then calling the
/// agent through its circuit breaker and reporting the result's usage and error to the lease.
/// </summary>
internal static class StepResources
{
    /// <summary>One attempt of <paramref name="step"/> on its resource.</summary>
    /// <param name="run">The run.</param>
    /// <param name="step">The step; its <see cref="Step.Resource"/> is set.</param>
    /// <param name="context">The attempt's context.</param>
    /// <param name="token">Cancels the wait and the call: the run's token, with the step's timeout when it has one.</param>
    /// <param name="runToken">The run's own token: a call cancelled by it does not count as a failure of the service.</param>
    public static ValueTask<AgentResult> ExecuteAsync(RunExecution run, Step step, StepContext context, CancellationToken token, CancellationToken runToken)
    {
        var resources = run.Host.Resources;
        if (!resources.TryGet(step.Resource!, out var resource))
        {
            // Runs refuse to start with an unknown name, so only a registry changed under a run gets here.
            return new ValueTask<AgentResult>(AgentResult.Failure(new StepError(ErrorKind.Fatal, $"step '{step.Id}' draws on a resource the runtime does not have: {resources.Unknown(step.Resource!)}", step.Id) { Code = "unknown_resource" }));
        }

        return resource.ExecuteAsync((run, step, context), CallAsync, step.Priority, estimatedTokens: null, token, runToken);
    }

    private static async ValueTask<AgentResult> CallAsync((RunExecution Run, Step Step, StepContext Context) attempt, ResourceLease lease, CancellationToken cancellationToken)
    {
        var (_, step, context) = attempt;
        StepResourceCalls.ReportWait(context, lease);
        // The agent's own calls on this resource (IStepContext.UseResourceAsync) run under this lease: counted once.
        StepResourceCalls.Enter(context, lease);
        var result = await step.ExecuteAsync(context, cancellationToken).ConfigureAwait(false);
        // An agent that reports no usage keeps its estimate in the window.
        if (result.Usage != default) lease.ReportUsage(result.Usage);
        if (result.Error is { } error) lease.ReportFailure(error.Kind);
        return result;
    }
}
