namespace Baton.Yaml.Building;

/// <summary>A workflow agent of a file: placed as a nested workflow (so its steps are journaled and drawn), not called as a plain agent.</summary>
internal sealed class WorkflowAgentMarker(Workflow workflow) : IAgent
{
    public Workflow Workflow { get; } = workflow;

    public string Name => Workflow.Name;

    public ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken) =>
        Workflow.AsAgent().InvokeAsync(input, context, cancellationToken);
}
