namespace Baton;

/// <summary>A step that calls one agent (a workflow agent runs as a nested, journaled workflow).</summary>
public sealed class AgentStep : Step
{
    /// <summary>Creates the step; its id defaults to the agent's name.</summary>
    public AgentStep(IAgent agent, string? id = null)
        : base(id ?? agent?.Name ?? throw new ArgumentNullException(nameof(agent)))
    {
        Agent = agent!;
    }

    /// <summary>The agent the step calls.</summary>
    public IAgent Agent { get; }

    /// <inheritdoc/>
    public override string? AgentName => Agent.Name;

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Workflow Workflow)> Children =>
        Agent is WorkflowAgent nested ? [(Agent.Name, nested.Workflow)] : [];

    internal override bool IsComposite => Agent is WorkflowAgent;

    internal override ValueTask<AgentResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken) =>
        Agent is WorkflowAgent nested
            ? context.RunNestedAsync(nested.Workflow, context.Input, cancellationToken)
            : Agent.InvokeAsync(context.Input, context, cancellationToken);
}
