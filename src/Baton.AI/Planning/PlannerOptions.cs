using Microsoft.Extensions.AI;

namespace Baton.AI.Planning;

/// <summary>How a <see cref="PlannerAgent"/> plans.</summary>
public sealed record PlannerOptions
{
    /// <summary>The planner agent's name (and the plan step's id in <see cref="Planner.Build"/>); <c>plan</c> by default.</summary>
    public string Name { get; init; } = "plan";

    /// <summary>
    /// Times the model is asked again, with the reasons, after an invalid plan; 2 by default
    /// (so at most three requests), 0 to fail on the first invalid plan.
    /// </summary>
    public int MaxReplans
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxReplans), value, "must not be negative");
    } = 2;

    /// <summary>Steps a plan may have at most; 20 by default.</summary>
    public int MaxSteps
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxSteps), value, "must be at least 1");
    } = 20;

    /// <summary>Plan steps that may run at once when the plan executes; null for all that are ready (the run's limit applies too).</summary>
    public int? MaxParallel
    {
        get;
        init => field = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxParallel), value, "must be at least 1");
    }

    /// <summary>
    /// Times a plan whose execution failed is replaced by a new one, made with the failure and the
    /// outputs already computed (<see cref="Planner.Build"/> only); 0 by default (a failed step fails the run).
    /// </summary>
    public int MaxExecutionReplans
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxExecutionReplans), value, "must not be negative");
    }

    /// <summary>More instructions for the planning model (domain rules, preferences), added to the system prompt.</summary>
    public string? Instructions { get; init; }

    /// <summary>Options every planning request starts from (model id, temperature...); the response format is set by the planner.</summary>
    public ChatOptions? ChatOptions { get; init; }
}
