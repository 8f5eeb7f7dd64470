namespace Baton;

/// <summary>
/// A workflow used as an agent. Inside a run its steps are journaled as children of the step
/// that calls it; called directly, it runs the workflow on a private in-memory runtime.
/// </summary>
internal sealed class WorkflowAgent(Workflow workflow) : IAgent
{
    public Workflow Workflow { get; } = workflow;

    public string Name => Workflow.Name;

    public async ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken)
    {
        // Called by the engine (directly, or through any decorator that passes the context on): the workflow runs
        // as a nested scope of the calling step, in the same run: journaled, durable, under its limits and resources.
        if (context is StepContext step) return await step.RunNestedAsync(Workflow, input, cancellationToken).ConfigureAwait(false);

        // Called outside a run (a test calling the agent by hand): a private in-memory runtime runs it.
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = context.TimeProvider });
        var result = await runtime.RunAsync(Workflow, input, cancellationToken: cancellationToken).ConfigureAwait(false);
        return result.Status == RunStatus.Succeeded
            ? AgentResult.Success(result.Output ?? Payload.Empty, usage: result.Usage)
            : AgentResult.Failure(result.Error ?? new StepError(ErrorKind.Recoverable, $"workflow '{Workflow.Name}' ended {result.Status}"));
    }
}
