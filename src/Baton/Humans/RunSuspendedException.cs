namespace Baton;

/// <summary>
/// Thrown by an asking step when its run suspends to wait for a person: the engine ends the execution with
/// status <see cref="RunStatus.Waiting"/>, journaling nothing for the step, which asks again (and finds the answer) on resume.
/// </summary>
/// <remarks>
/// A cancellation in kind (the step stops because its run stops for now), so agent code that lets cancellations
/// through — <c>catch (Exception ex) when (ex is not OperationCanceledException)</c> — lets a suspension through too.
/// </remarks>
internal sealed class RunSuspendedException(HumanRequest request) : OperationCanceledException($"run '{request.RunId}' waits for an answer to '{request.Prompt}'")
{
    public HumanRequest Request { get; } = request;
}
