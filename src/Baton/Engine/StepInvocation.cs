namespace Baton;

/// <summary>One attempt of one step: what a step's executor may use to do its work.</summary>
internal sealed class StepInvocation(RunExecution run, string key, Payload input, StepContext context)
{
    public RunExecution Run => run;

    public string Key => key;

    public Payload Input => input;

    public StepContext Context => context;

    /// <summary>Runs a child workflow journaled under this step; its failure comes back as a failed result.</summary>
    public ValueTask<AgentResult> RunChildAsync(Workflow workflow, string childName, Payload childInput, CancellationToken cancellationToken) =>
        RunScopeAsync(workflow, ChildPrefix(childName), childInput, cancellationToken);

    /// <summary>Runs a nested workflow as this step's only child: its steps are keyed directly under this step.</summary>
    public ValueTask<AgentResult> RunNestedAsync(Workflow workflow, CancellationToken cancellationToken) =>
        RunScopeAsync(workflow, key + "/", input, cancellationToken);

    private async ValueTask<AgentResult> RunScopeAsync(Workflow workflow, string prefix, Payload childInput, CancellationToken cancellationToken)
    {
        try
        {
            var (output, confidence) = await run.RunScopeAsync(workflow, childInput, prefix, cancellationToken).ConfigureAwait(false);
            return new AgentResult { Output = output, Confidence = confidence };
        }
        catch (StepFailedException failed)
        {
            return AgentResult.Failure(failed.Error);
        }
    }

    public string ChildPrefix(string childName) => string.Concat(key, "/", childName, "/");
}
