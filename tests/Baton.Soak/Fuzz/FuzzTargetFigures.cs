namespace Baton.Soak.Fuzz;

/// <summary>One target's figures.</summary>
/// <param name="Name">The target.</param>
public sealed record FuzzTargetFigures(string Name)
{
    /// <summary>Inputs given.</summary>
    public int Inputs { get; internal set; }

    /// <summary>Inputs taken.</summary>
    public int Accepted { get; internal set; }

    /// <summary>Inputs refused with a clear error.</summary>
    public int Refused { get; internal set; }

    /// <summary>Inputs that crashed, hung or broke a rule.</summary>
    public int Failed { get; internal set; }

    /// <summary>Time spent on the target.</summary>
    public TimeSpan Elapsed { get; internal set; }

    /// <summary>The process's peak working set when the target was done, in bytes.</summary>
    public long PeakWorkingSet { get; internal set; }
}
