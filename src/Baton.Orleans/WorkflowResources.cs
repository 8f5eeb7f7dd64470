using Baton.AI;

namespace Baton.Orleans;

/// <summary>
/// The named resources a workflow's steps draw on: a step's own (<see cref="Step.Resource"/>) and a model agent's
/// (<see cref="ModelAgent.Resource"/>, a workflow file's model or agent <c>resource:</c>). Placement matches them against
/// the capabilities workers advertise.
/// </summary>
public static class WorkflowResources
{
    /// <summary>The distinct resource names of the workflow's steps.</summary>
    public static IReadOnlyCollection<string> Of(Workflow workflow)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        return workflow.Steps
            .SelectMany(s => new[] { s.Resource, (s as AgentStep)?.Agent is ModelAgent model ? model.Resource : null })
            .OfType<string>()
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();
    }
}
