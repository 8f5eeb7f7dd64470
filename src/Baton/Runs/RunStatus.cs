namespace Baton;

/// <summary>Where a run stands.</summary>
public enum RunStatus
{
    /// <summary>Steps are executing.</summary>
    Running,

    /// <summary>Suspended, waiting for outside input such as a human's answer.</summary>
    Waiting,

    /// <summary>Finished with an output.</summary>
    Succeeded,

    /// <summary>Finished with an error; partial results are kept.</summary>
    Failed,

    /// <summary>Cancelled; completed steps are kept and the run can be resumed.</summary>
    Cancelled,
}
