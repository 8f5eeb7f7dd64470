using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>
/// The common options of a step (<c>input</c>, <c>as</c>, <c>retry</c>, <c>timeout</c>, <c>resource</c>; <c>onError</c> is an
/// error edge the document builder adds): an agent step carries them itself, any other step runs inside a one-step
/// workflow that carries them.
/// </summary>
internal static class StepOptionsBuilder
{
    /// <summary>A plain agent's step with the options.</summary>
    public static Step AgentStep(IAgent agent, StepDefinition step, string? resource) =>
        new Baton.AgentStep(Decorate(agent, step), step.Id) { Retry = step.Retry, Timeout = step.Timeout, Resource = resource };

    /// <summary>A step kind's step with the options: itself when there are none, else inside a workflow of its own.</summary>
    public static Step Wrap(Step core, StepDefinition step)
    {
        if (step.InputTemplate is null && step.As is null && step.Retry is null && step.Timeout is null && step.Resource is null) return core;
        var wrapper = new WorkflowBuilder(step.Id);
        if (step.InputTemplate is { } input)
        {
            wrapper.AddStep(new Baton.AgentStep(Agent.Create("input", (payload, context, cancellationToken) =>
                new ValueTask<AgentResult>(AgentResult.Success(Templating.RenderPayload(input, payload, context.State, cancellationToken)))), "input"));
        }

        wrapper.AddStep(core);
        if (step.InputTemplate is not null) wrapper.AddEdge("input", core.Id);
        if (step.As is { } name)
        {
            wrapper.AddStep(new Baton.AgentStep(Agent.Create("as", (payload, context, _) =>
            {
                context.SetState(name, payload);
                return new ValueTask<AgentResult>(AgentResult.Success(payload));
            }), "as"));
            wrapper.AddEdge(core.Id, "as");
        }

        return new Baton.AgentStep(wrapper.Build().AsAgent(), step.Id) { Retry = step.Retry, Timeout = step.Timeout, Resource = step.Resource };
    }

    /// <summary>The agent with its step's <c>input</c> template applied before it and <c>as</c> after it.</summary>
    private static IAgent Decorate(IAgent agent, StepDefinition step)
    {
        if (step.InputTemplate is null && step.As is null) return agent;
        return Agent.Create(agent.Name, async (input, context, cancellationToken) =>
        {
            if (step.InputTemplate is { } template) input = Templating.RenderPayload(template, input, context.State, cancellationToken);
            var result = await agent.InvokeAsync(input, context, cancellationToken).ConfigureAwait(false);
            if (step.As is { } name && result.IsSuccess) context.SetState(name, result.Output);
            return result;
        });
    }
}
