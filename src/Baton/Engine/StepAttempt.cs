namespace Baton;

/// <summary>
/// One attempt of one step, from waiting for a concurrency slot to the agent's result: the step's timeout, its
/// resource, and the edge where exceptions thrown by agent code become values. A suspension, a cancellation and a
/// halt from a child scope come back as a result carrying a <see cref="StepHalt"/>.
/// </summary>
internal static class StepAttempt
{
    public static async ValueTask<AgentResult> RunAsync(RunExecution run, Step step, StepContext context, CancellationToken cancellationToken)
    {
        CancellationTokenSource? timeoutSource = null;
        CancellationTokenRegistration link = default;
        var token = cancellationToken;
        var holdsSlot = !step.IsComposite;
        AgentResult result;
        try
        {
            // Waiting for a slot behind MaxParallel is the run's business, not the step's: the step's timeout starts
            // once it may run (the run's deadline bounds the wait).
            if (holdsSlot)
            {
                await run.Slots.EnterAsync(cancellationToken).ConfigureAwait(false);
                context.HoldsSlot = true;
            }

            try
            {
                if (step.Timeout is { } timeout)
                {
                    timeoutSource = new CancellationTokenSource(timeout, run.Time);
                    link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeoutSource);
                    token = timeoutSource.Token;
                }

                result = step.Resource is null
                    ? await step.ExecuteAsync(context, token).ConfigureAwait(false)
                    : await StepResources.ExecuteAsync(run, step, context, token, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (context.HoldsSlot)
                {
                    context.HoldsSlot = false;
                    run.Slots.Release();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            result = ScopeOutcome.Cancelled.ToResult();
        }
        catch (RunSuspendedException suspended)
        {
            result = ScopeOutcome.Suspended(suspended.Request).ToResult();
        }
        catch (OperationCanceledException) when (timeoutSource?.IsCancellationRequested == true && context.Suspension is null)
        {
            result = AgentResult.Failure(new StepError(ErrorKind.Transient, $"step '{step.Id}' timed out after {step.Timeout}", step.Id) { Code = "timeout" });
        }
        catch (Exception ex) when (context.Suspension is null)
        {
            result = AgentResult.Failure(run.Host.ErrorClassifier.Classify(ex, step.Id));
        }
        catch (Exception)
        {
            // The agent turned its suspension into another exception: the step still waits for its person.
            result = default;
        }
        finally
        {
            link.Dispose();
            timeoutSource?.Dispose();
        }

        // A composite whose children were stopped by the step's own timeout (not by the run) timed out.
        if (result.Halt?.Outcome.Kind == OutcomeKind.Cancelled && !cancellationToken.IsCancellationRequested && timeoutSource?.IsCancellationRequested == true)
        {
            result = AgentResult.Failure(new StepError(ErrorKind.Transient, $"step '{step.Id}' timed out after {step.Timeout}", step.Id) { Code = "timeout" });
        }

        // The context knows when the step asked and the run suspended, whatever the agent did with the exception
        // (swallowed it, let a timeout race it, returned a result anyway): the step waits for its person.
        if (context.Suspension is { } request && !cancellationToken.IsCancellationRequested && result.Halt is null) return ScopeOutcome.Suspended(request).ToResult();
        // Likewise a child step that stopped the run (a limit, the run's cancellation) stops this step, even if the agent
        // caught it; a child stopped only by this step's own timeout leaves the agent's result (or the timeout) standing.
        if (context.ChildHalt is { } halted && result.Halt is null && (halted.Outcome.Kind != OutcomeKind.Cancelled || cancellationToken.IsCancellationRequested))
        {
            return halted.Outcome.ToResult();
        }
        return result;
    }
}
