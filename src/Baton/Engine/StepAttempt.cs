namespace Baton;

/// <summary>
/// One attempt of one step, from waiting for a concurrency slot to the agent's result: the step's timeout, its
/// resource, and the edge where exceptions thrown by agent code become values. A suspension, a cancellation and a
/// halt from a child scope come back as a result carrying a <see cref="StepHalt"/>.
/// </summary>
internal static class StepAttempt
{
    public static ValueTask<AgentResult> RunAsync(RunExecution run, Step step, StepContext context, CancellationToken cancellationToken)
    {
        // The usual attempt (an agent with no timeout and no resource, a free slot, an agent that answers at once) ends
        // here without an async state machine: a step is the engine's hot path, and most agents it measures are quick.
        if (step.Timeout is not null || step.Resource is not null || step.IsComposite || !run.Slots.TryEnter()) return RunAwaitedAsync(run, step, context, cancellationToken);
        context.HoldsSlot = true;
        ValueTask<AgentResult> work;
        try
        {
            work = step.ExecuteAsync(context, cancellationToken);
        }
        catch (Exception ex)
        {
            ReleaseSlot(run, context);
            return new ValueTask<AgentResult>(Settle(step, context, FromException(run, step, context, ex, null, cancellationToken), null, cancellationToken));
        }

        if (!work.IsCompletedSuccessfully) return new ValueTask<AgentResult>(AwaitStartedAsync(run, step, context, work.AsTask(), cancellationToken));
        var result = work.Result;
        ReleaseSlot(run, context);
        return new ValueTask<AgentResult>(Settle(step, context, result, null, cancellationToken));
    }

    /// <summary>An agent step whose agent did not answer at once: waits for it (abandoning it past its token), then ends as <see cref="RunAsync"/> does.</summary>
    /// <remarks>
    /// Tasks in and out, not value tasks: this state machine, made for every agent that waits, then holds references,
    /// not copies of the agent's 80-byte result.
    /// </remarks>
    private static async Task<AgentResult> AwaitStartedAsync(RunExecution run, Step step, StepContext context, Task<AgentResult> work, CancellationToken cancellationToken)
    {
        AgentResult result;
        try
        {
            result = cancellationToken.CanBeCanceled
                ? await work.WaitAsync(cancellationToken).ConfigureAwait(false)
                : await work.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            try
            {
                result = await AbandonIfIgnoredAsync(run, step, context, work, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                result = FromException(run, step, context, ex, null, cancellationToken);
            }
        }
        catch (Exception ex)
        {
            result = FromException(run, step, context, ex, null, cancellationToken);
        }
        finally
        {
            ReleaseSlot(run, context);
        }

        return Settle(step, context, result, null, cancellationToken);
    }

    /// <summary>Every other attempt: a composite, a step with a timeout or a resource, or one that waits for a slot.</summary>
    private static async ValueTask<AgentResult> RunAwaitedAsync(RunExecution run, Step step, StepContext context, CancellationToken cancellationToken)
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
                ReleaseSlot(run, context);
            }
        }
        catch (Exception ex)
        {
            result = FromException(run, step, context, ex, timeoutSource, cancellationToken);
        }
        finally
        {
            link.Dispose();
            timeoutSource?.Dispose();
        }

        return Settle(step, context, result, timeoutSource, cancellationToken);
    }

    private static void ReleaseSlot(RunExecution run, StepContext context)
    {
        if (!context.HoldsSlot) return;
        context.HoldsSlot = false;
        run.Slots.Release();
    }

    /// <summary>Where an exception from agent code (or from waiting for a slot) becomes a value.</summary>
    private static AgentResult FromException(RunExecution run, Step step, StepContext context, Exception exception, CancellationTokenSource? timeoutSource, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested) return ScopeOutcome.Cancelled.ToResult();
        if (exception is RunSuspendedException suspended) return ScopeOutcome.Suspended(suspended.Request).ToResult();
        // The agent turned its suspension into another exception: the step still waits for its person (see Settle).
        if (context.Suspension is not null) return default;
        if (exception is OperationCanceledException && timeoutSource?.IsCancellationRequested == true) return TimedOut(step);
        return AgentResult.Failure(run.Host.ErrorClassifier.Classify(exception, step.Id));
    }

    /// <summary>The attempt's result once what happened around the agent is known: its own timeout, a suspension, a child's halt.</summary>
    private static AgentResult Settle(Step step, StepContext context, AgentResult result, CancellationTokenSource? timeoutSource, CancellationToken cancellationToken)
    {
        // A composite whose children were stopped by the step's own timeout (not by the run) timed out.
        if (result.Halt?.Outcome.Kind == OutcomeKind.Cancelled && !cancellationToken.IsCancellationRequested && timeoutSource?.IsCancellationRequested == true) return TimedOut(step);

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

    private static AgentResult TimedOut(Step step) =>
        AgentResult.Failure(new StepError(ErrorKind.Transient, $"step '{step.Id}' timed out after {step.Timeout}", step.Id) { Code = "timeout" });

    /// <summary>
    /// Waits for the agent; once its token is cancelled (the step's timeout, the run's cancellation or deadline), waits
    /// at most the host's <see cref="IRunHost.CancellationGrace"/> more, then abandons an agent that ignores it: the
    /// attempt ends as cancelled (a timeout, when it was the step's), the abandonment is logged, and the run goes on.
    /// The abandoned agent's eventual result or exception is dropped.
    /// </summary>
    private static async Task<AgentResult> AbandonIfIgnoredAsync(RunExecution run, Step step, StepContext context, Task<AgentResult> work, CancellationToken token)
    {
        if (!token.CanBeCanceled) return await work.ConfigureAwait(false);
        try
        {
            return await work.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The token was cancelled: an agent that has not ended yet gets its grace, below (one that has, its own ending).
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
