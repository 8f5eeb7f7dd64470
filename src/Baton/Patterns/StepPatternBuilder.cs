namespace Baton;

/// <summary>
/// A pattern that is one step (a fan-out, a graph, a vote, a routing): it can be placed inside another
/// workflow with <see cref="BuildStep"/>, and <see cref="PatternBuilder{TBuilder}.Build"/> makes a workflow of that one step.
/// </summary>
/// <typeparam name="TBuilder">The pattern's own builder.</typeparam>
/// <typeparam name="TStep">The step it builds.</typeparam>
public abstract class StepPatternBuilder<TBuilder, TStep> : PatternBuilder<TBuilder>
    where TBuilder : StepPatternBuilder<TBuilder, TStep>
    where TStep : Step
{
    private protected StepPatternBuilder(string name)
        : base(name)
    {
    }

    /// <summary>The pattern as a step, to place inside another workflow; its id is the pattern's name unless given.</summary>
    public abstract TStep BuildStep(string? id = null);

    private protected sealed override WorkflowBuilder Compose() => new WorkflowBuilder(Name).AddStep(BuildStep());
}
