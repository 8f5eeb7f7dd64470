namespace Baton;

/// <summary>
/// Fan-out and fan-in for parallel, foreach and vote steps: their branches run on the engine's
/// <see cref="ChildScheduler"/> with no dependencies between them, and the join merges them.
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

        var children = new ChildScope[branches.Count];
        for (var i = 0; i < children.Length; i++) children[i] = new ChildScope(branches[i].Name, branches[i].Workflow, branches[i].Input);
        var failStep = failureMode == BranchFailureMode.FailStep;
        var ended = await ChildScheduler.RunAsync(context, children, maxParallel, stopOnFailure: failStep, cancellationToken).ConfigureAwait(false);
        if (ended.Halt is { } halt) return halt.ToResult();
        if (failStep && ended.FirstFailed >= 0)
        {
            // The branch that failed first in time is the cause; siblings that failed once cancelled are not.
            var failed = ended.Outcomes[ended.FirstFailed].Error!;
            return AgentResult.Failure(failed with
            {
                Message = $"branch '{children[ended.FirstFailed].Name}' failed: {failed.Message}",
                Partial = await ended.PartialAsync(context, children).ConfigureAwait(false),
            });
        }

        var results = new BranchResult[children.Length];
        for (var i = 0; i < results.Length; i++)
        {
            var outcome = ended.Outcomes[i];
            results[i] = outcome.Kind switch
            {
                OutcomeKind.Completed => new BranchResult(children[i].Name, i, BranchStatus.Succeeded, outcome.Output, outcome.Confidence, null),
                OutcomeKind.Failed => new BranchResult(children[i].Name, i, BranchStatus.Failed, null, null, outcome.Error),
                _ => new BranchResult(children[i].Name, i, BranchStatus.Cancelled, null, null, null),
            };
        }

        return await merge.MergeAsync(context, results, cancellationToken).ConfigureAwait(false);
    }
}
