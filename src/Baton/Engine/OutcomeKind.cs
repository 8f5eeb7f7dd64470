namespace Baton;

/// <summary>How a step or a scope of steps ended, inside the engine.</summary>
internal enum OutcomeKind : byte
{
    /// <summary>It produced its output.</summary>
    Completed,

    /// <summary>It failed and no error route took the failure: the enclosing step (or the run) fails with it.</summary>
    Failed,

    /// <summary>A step waits for a person: the run suspends once every branch got as far as it can.</summary>
    Suspended,

    /// <summary>A run-wide limit or a journal mismatch stopped it: the whole run fails, error routes are not taken.</summary>
    Aborted,

    /// <summary>Cancelled from outside (the run was cancelled, passed its deadline, lost its lease, or a sibling failed).</summary>
    Cancelled,
}
