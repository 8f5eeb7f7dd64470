namespace Baton;

/// <summary>Where a question to a person stands.</summary>
public enum HumanRequestStatus
{
    /// <summary>Waiting for an answer.</summary>
    Open,

    /// <summary>Answered; the answer is recorded.</summary>
    Answered,

    /// <summary>Withdrawn: the run was cancelled, or the step stopped waiting.</summary>
    Withdrawn,

    /// <summary>Nobody answered before its deadline.</summary>
    Expired,
}
