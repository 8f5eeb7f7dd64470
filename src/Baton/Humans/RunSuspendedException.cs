namespace Baton;

/// <summary>
/// Thrown by an asking step when its run suspends to wait for a person: the engine ends the execution with
/// status <see cref="RunStatus.Waiting"/>, journaling nothing for the step, which asks again (and finds the answer) on resume.
/// </summary>
internal sealed class RunSuspendedException(HumanRequest request) : Exception($"run '{request.RunId}' waits for an answer to '{request.Prompt}'")
{
    public HumanRequest Request { get; } = request;
}
