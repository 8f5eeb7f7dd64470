namespace Baton;

/// <summary>
/// Thrown to agent code by <see cref="IStepContext.AskAsync"/> when the run suspends to wait for a person: the step
/// ends here and runs again, asking the same question and getting its answer, when the run resumes. Let it through
/// (<c>catch (Exception ex) when (ex is not RunSuspendedException)</c>). It is not a cancellation, so code that
/// treats an <see cref="OperationCanceledException"/> from an uncancelled token as a timeout does not mistake it
/// for one; and the engine knows the step asked, so even an agent that swallows it suspends the run.
/// </summary>
public sealed class RunSuspendedException : Exception
{
    internal RunSuspendedException(HumanRequest request)
        : base($"run '{request.RunId}' waits for an answer to '{request.Prompt}'")
    {
        Request = request;
    }

    /// <summary>The question the run waits on.</summary>
    public HumanRequest Request { get; }
}
