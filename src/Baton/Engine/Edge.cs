namespace Baton;

/// <summary>Decides whether an edge is taken after its source step.</summary>
public delegate bool EdgeCondition(StepOutcome outcome);

/// <summary>
/// A transition between two steps of one workflow. After a step, its edges are tried in the
/// order they were added and the first whose condition holds is taken; none taken ends the
/// workflow with that step's output. Error edges are taken instead when the step fails.
/// </summary>
/// <param name="From">The source step.</param>
/// <param name="To">The target step.</param>
/// <param name="Condition">Null for always.</param>
/// <param name="Label">How graphs show the condition.</param>
/// <param name="IsError">True for an error edge: taken when the source fails after its retries.</param>
public sealed record Edge(string From, string To, EdgeCondition? Condition = null, string? Label = null, bool IsError = false)
{
    /// <summary>The target that ends the workflow: an edge to it finishes with the source step's output.</summary>
    public const string End = "$end";
}
