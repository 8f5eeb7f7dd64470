using System.Runtime.ExceptionServices;

namespace Baton;

/// <summary>
/// Runs child workflows at once and joins them: the one join of the engine. Each branch is a
/// scope of its own that advances as fast as its steps allow; only this join waits for all.
/// </summary>
internal static class FanOut
{
    public static async ValueTask<AgentResult> RunAsync(
        StepContext context,
        IReadOnlyList<(string Name, Workflow Workflow, Payload Input)> branches,
        int? maxParallel,
        Merge merge,
        BranchFailureMode failureMode,
        CancellationToken cancellationToken)
    {
        var run = context.Run;
        if (branches.Count > run.Limits.MaxFanOut)
        {
            return AgentResult.Failure(new StepError(ErrorKind.Fatal,
                $"step '{context.StepId}' fans out to {branches.Count} branches, over the limit of {run.Limits.MaxFanOut}") { Code = "fan_out" });
        }

        using var siblings = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var gate = maxParallel is { } max && max < branches.Count ? new SemaphoreSlim(max, max) : null;
        var results = new BranchResult[branches.Count];
        RunAbortedException? abort = null;
        RunSuspendedException? suspended = null;
        ExceptionDispatchInfo? unexpected = null;
        var firstFailed = -1;
        var pending = new ValueTask[branches.Count];
        // Branches that start at once share one clock read; gated ones read the clock when they get in.
        DateTimeOffset? now = gate is null ? run.Time.GetUtcNow() : null;
        for (var i = 0; i < branches.Count; i++) pending[i] = RunBranchAsync(i);
        for (var i = 0; i < pending.Length; i++) await pending[i].ConfigureAwait(false);

        cancellationToken.ThrowIfCancellationRequested();
        if (abort is not null) ExceptionDispatchInfo.Throw(abort);
        unexpected?.Throw();
        // A branch waiting for a person suspends the run once its siblings have got as far as they can
        // (unless one failed the step): what they completed is journaled and replays on resume.
        if (suspended is not null && !(failureMode == BranchFailureMode.FailStep && firstFailed >= 0)) ExceptionDispatchInfo.Throw(suspended);
        if (failureMode == BranchFailureMode.FailStep && firstFailed >= 0)
        {
            // The branch that failed first in time is the cause; siblings that failed once cancelled are not.
            var failed = results[firstFailed];
            // Nothing computed is lost: a finished branch gives its output; a failed or cancelled one
            // gives the outputs of the steps it completed before it stopped.
            var properties = new List<KeyValuePair<string, Payload?>>();
            foreach (var result in results)
            {
                if (result.Status == BranchStatus.Succeeded)
                {
                    properties.Add(new(result.Name, result.Output));
                    continue;
                }

                var done = await run.ScopeOutputsAsync(context.ChildPrefix(result.Name)).ConfigureAwait(false);
                if (done.Count > 0) properties.Add(new(result.Name, JsonPayloads.Object(done)));
            }

            var partial = JsonPayloads.Object(properties);
            return AgentResult.Failure(failed.Error! with
            {
                Message = $"branch '{failed.Name}' failed: {failed.Error!.Message}",
                Partial = partial,
            });
        }

        return await merge.MergeAsync(context, results, cancellationToken).ConfigureAwait(false);

        async ValueTask RunBranchAsync(int index)
        {
            var (name, workflow, input) = branches[index];
            var entered = false;
            try
            {
                if (gate is not null)
                {
                    await gate.WaitAsync(siblings.Token).ConfigureAwait(false);
                    entered = true;
                }

                var (output, confidence) = await run.RunScopeAsync(workflow, input, context.ChildPrefix(name), siblings.Token, now).ConfigureAwait(false);
                results[index] = new BranchResult(name, index, BranchStatus.Succeeded, output, confidence, null);
            }
            catch (StepFailedException failure)
            {
                // Under FailStep, a branch that fails after the siblings were cancelled (an agent that
                // turned its cancellation into an error) was cancelled, not the cause.
                var cancelled = failureMode == BranchFailureMode.FailStep && siblings.IsCancellationRequested;
                results[index] = new BranchResult(name, index, cancelled ? BranchStatus.Cancelled : BranchStatus.Failed, null, null, failure.Error);
                if (!cancelled)
                {
                    Interlocked.CompareExchange(ref firstFailed, index, -1);
                    if (failureMode == BranchFailureMode.FailStep) siblings.Cancel();
                }
            }
            catch (RunSuspendedException suspension)
            {
                Interlocked.CompareExchange(ref suspended, suspension, null);
                results[index] = new BranchResult(name, index, BranchStatus.Cancelled, null, null, null);
            }
            catch (RunAbortedException aborted)
            {
                Interlocked.CompareExchange(ref abort, aborted, null);
                results[index] = new BranchResult(name, index, BranchStatus.Failed, null, null, aborted.Error);
                siblings.Cancel();
            }
            catch (OperationCanceledException) when (siblings.IsCancellationRequested)
            {
                results[index] = new BranchResult(name, index, BranchStatus.Cancelled, null, null, null);
            }
            catch (Exception ex)
            {
                // A store failure or an engine bug: stop the siblings and rethrow once they have all
                // ended, so no branch keeps running (and committing) after the run has failed.
                Interlocked.CompareExchange(ref unexpected, ExceptionDispatchInfo.Capture(ex), null);
                results[index] = new BranchResult(name, index, BranchStatus.Failed, null, null, null);
                siblings.Cancel();
            }
            finally
            {
                if (entered) gate!.Release();
            }
        }
    }
}
