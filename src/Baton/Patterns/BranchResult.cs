namespace Baton;

/// <summary>How one branch of a fan-out ended.</summary>
public enum BranchStatus
{
    /// <summary>It produced an output.</summary>
    Succeeded,

    /// <summary>It failed after its retries and error routes.</summary>
    Failed,

    /// <summary>It was cancelled because another branch failed.</summary>
    Cancelled,
}

/// <summary>One branch's outcome, as a merge sees it: the list always has every branch, in branch order.</summary>
/// <param name="Name">The branch's name (its index, for foreach).</param>
/// <param name="Index">Its position.</param>
/// <param name="Status">How it ended.</param>
/// <param name="Output">Its output, when it succeeded.</param>
/// <param name="Confidence">Its confidence, when its last agent gave one.</param>
/// <param name="Error">Its failure, when it failed.</param>
public sealed record BranchResult(string Name, int Index, BranchStatus Status, Payload? Output, double? Confidence, StepError? Error);

/// <summary>What a fan-out does when a branch fails.</summary>
public enum BranchFailureMode
{
    /// <summary>Cancel the other branches and fail the step; the outputs of finished branches are its partial results.</summary>
    FailStep,

    /// <summary>Let every branch finish and hand all outcomes, failures included, to the merge.</summary>
    Collect,
}
