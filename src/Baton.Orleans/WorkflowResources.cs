namespace Baton.Orleans;

/// <summary>The named resources a workflow's steps draw on (<see cref="Step.Resource"/>): what placement matches against capabilities.</summary>
public static class WorkflowResources
{
    /// <summary>The distinct resource names of the workflow's steps.</summary>
    public static IReadOnlyCollection<string> Of(Workflow workflow)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        return workflow.Steps.Select(s => s.Resource).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }
}
