namespace Baton;

/// <summary>What a group chat does when a member's turn fails (after the member's own retries).</summary>
public enum MemberFailure
{
    /// <summary>The group chat fails with the member's error (the default): the step's retry and error route take over.</summary>
    Fail,

    /// <summary>The failed turn is left out of the transcript (the report still shows it failed) and the conversation goes on.</summary>
    Continue,
}
