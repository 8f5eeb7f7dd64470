namespace Baton;

/// <summary>
/// One child of a composite step for <see cref="ChildScheduler"/>: a workflow journaled under the step's key and a
/// name, run on a fixed input or on one built from its dependencies' outputs once they have all completed. A struct:
/// a fan-out makes one per branch.
/// </summary>
internal readonly struct ChildScope(string name, Workflow workflow, Payload? input = null)
{
    /// <summary>Names the child's journal scope; unique among its siblings.</summary>
    public string Name { get; } = name;

    public Workflow Workflow { get; } = workflow;

    /// <summary>The fixed input, when <see cref="BuildInput"/> is null.</summary>
    public Payload? Input { get; } = input;

    /// <summary>Builds the input from the completed siblings' outcomes (a graph node's dependencies); may throw.</summary>
    public Func<ScopeOutcome[], Payload>? BuildInput { get; init; }

    /// <summary>Positions of the siblings that must complete before this child starts.</summary>
    public int[] DependsOn { get; init; } = [];
}
