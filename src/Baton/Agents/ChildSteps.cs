namespace Baton;

/// <summary>
/// What an agent may run inside its own step: another agent as a child step, journaled under it (a tool call that must
/// not run twice, an agent called as a tool, a guardrail's judge), and objects that live as long as one execution of the run.
/// </summary>
public static class ChildSteps
{
    /// <summary>
    /// Runs <paramref name="agent"/> as a child step of the step <paramref name="context"/> belongs to, journaled under it
    /// as <paramref name="name"/>: a step re-run after a resume or a retry gets the child's journaled result without
    /// running it again. Outside a run (a context a test made) the agent is simply called.
    /// </summary>
    /// <param name="context">The calling step's context.</param>
    /// <param name="name">The child's name, unique within the calling step (the rule of step ids: no <c>/ : # $</c>).</param>
    /// <param name="agent">What runs.</param>
    /// <param name="input">Its input.</param>
    /// <param name="cancellationToken">Cancels the child.</param>
    /// <returns>The child's result: its output, or its error when it failed.</returns>
    /// <exception cref="RunSuspendedException">The child waits for a person: let it through; the calling step suspends with it.</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled while the child ran.</exception>
    /// <exception cref="AgentException">The run stopped while the child ran (a run-wide limit, a changed workflow): the calling step stops with it.</exception>
    public static async ValueTask<AgentResult> RunChildAsync(this IStepContext context, string name, IAgent agent, Payload input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(input);
        StepKey.CheckName(name, "a child step's name", nameof(name));
        if (context is not StepContext step) return await agent.InvokeAsync(input, context, cancellationToken).ConfigureAwait(false);

        // A plain step holds one of the run's concurrency slots: its child needs one too, so it gives its own back
        // while the child runs (as a nested workflow does), and nesting never deadlocks on the run's parallelism bound.
        var released = step.HoldsSlot;
        if (released)
        {
            step.HoldsSlot = false;
            step.Run.Slots.Release();
        }

        AgentResult result;
        try
        {
            result = await step.RunChildAsync(Workflow.Of(agent), name, input, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (released)
            {
                await step.Run.Slots.EnterAsync(CancellationToken.None).ConfigureAwait(false);
                step.HoldsSlot = true;
            }
        }

        if (result.Halt is not { } halt) return result;
        // The calling step stops the way its child did, whatever the calling agent does with the exception.
        step.HaltWith(result);
        switch (halt.Outcome.Kind)
        {
            case OutcomeKind.Suspended:
                throw new RunSuspendedException(halt.Outcome.Request!);
            case OutcomeKind.Cancelled:
                cancellationToken.ThrowIfCancellationRequested();
                throw new OperationCanceledException($"child step '{name}' was cancelled");
            default:
                var error = halt.Outcome.Error;
                throw new AgentException(error?.Kind ?? ErrorKind.Fatal, error?.Message ?? $"child step '{name}' stopped the run") { Code = error?.Code };
        }
    }

    /// <summary>
    /// An object shared by every step of one execution of the run (an MCP server the run's agents call): made by
    /// <paramref name="start"/> on first use under <paramref name="key"/>, and disposed when that execution ends —
    /// succeeded, failed, cancelled, suspended for a person or interrupted. A resumed run makes it anew. When
    /// <paramref name="start"/> fails, every step asking for it gets the same exception.
    /// </summary>
    /// <exception cref="NotSupportedException">The context is not a run's (a context a test made): there is no run to tie the object to.</exception>
    public static Task<T> RunScopedAsync<T>(this IStepContext context, string key, Func<CancellationToken, Task<T>> start, CancellationToken cancellationToken)
        where T : class, IAsyncDisposable
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(start);
        if (context is not StepContext step) throw new NotSupportedException($"this step context ({context.GetType().Name}) belongs to no run, so '{key}' cannot live as long as one");
        return step.Run.Scoped.GetAsync(key, start, cancellationToken);
    }
}
