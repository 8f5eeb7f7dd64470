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

                var work = step.Resource is null
                    ? step.ExecuteAsync(context, token)
                    : StepResources.ExecuteAsync(run, step, context, token, cancellationToken);
                // An agent's own step may ignore its token; a composite's children are each watched by their own attempt.
                result = step.IsComposite || work.IsCompleted || !token.CanBeCanceled
                    ? await work.ConfigureAwait(false)
                    : await AbandonIfIgnoredAsync(run, step, context, work.AsTask(), token).ConfigureAwait(false);
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

    /// <summary>
    /// Waits for the agent; once its token is cancelled (the step's timeout, the run's cancellation or deadline), waits
    /// at most the host's <see cref="IRunHost.CancellationGrace"/> more, then abandons an agent that ignores it: the
    /// attempt ends as cancelled (a timeout, when it was the step's), the abandonment is logged, and the run goes on.
    /// The abandoned agent's eventual result or exception is dropped.
    /// </summary>
    private static async Task<AgentResult> AbandonIfIgnoredAsync(RunExecution run, Step step, StepContext context, Task<AgentResult> work, CancellationToken token)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (token.UnsafeRegister(static s => ((TaskCompletionSource)s!).TrySetResult(), cancelled))
        {
            if (await Task.WhenAny(work, cancelled.Task).ConfigureAwait(false) == work) return await work.ConfigureAwait(false);
        }

        // Real time, whatever the run's clock: this bounds how long a stuck agent holds the run in this process.
        var grace = run.Host.CancellationGrace;
        try
        {
            return await work.WaitAsync(grace, TimeProvider.System).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!work.IsCompleted)
        {
            _ = work.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            run.Host.Logger.LogStepAbandoned(run.RunId, context.Key, grace);
            throw new OperationCanceledException($"step '{step.Id}' ignored its cancellation for {grace}: abandoned", token);
        }
    }
}
