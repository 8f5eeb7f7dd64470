using Baton.Yaml.Building.Steps;
using Baton.Yaml.Model;
using Baton.Yaml.Model.Steps;
using Baton.Yaml.Providers;

namespace Baton.Yaml.Building;

/// <summary>
/// Makes a read workflow file into the objects the C# builders make: a <see cref="Workflow"/> whose first step stores
/// the inputs in run state (<c>inputs</c>, which templates and expressions read), then the file's steps. Each step kind
/// is made by its <see cref="IStepKindBuilder"/>; this class chains steps, applies the common options and makes scopes.
/// </summary>
internal sealed class WorkflowDocumentBuilder
{
    private readonly WorkflowDocument _document;

    public WorkflowDocumentBuilder(WorkflowDocument document, ModelAgentFactory? modelAgents, Func<string, BuiltWorkflowFile>? loadFile)
    {
        _document = document;
        Agents = new AgentFactory(document, modelAgents, loadFile, Scope);
    }

    /// <summary>The file's agents.</summary>
    public AgentFactory Agents { get; }

    /// <summary>The limits runs of the built workflow get: steps that fan out check their width against them.</summary>
    public RunLimits Limits => _document.Limits;

    public BuiltWorkflowFile Build()
    {
        var top = _document.Workflow ?? throw new InvalidOperationException("the file has no workflow");
        var builder = new WorkflowBuilder(_document.Name).WithLimits(_document.Limits).DeclareState(Templating.InputsState, StateReducer.LastWriteWins);
        if (_document.Description is { } description) builder.Describe(description);
        builder.AddStep(new AgentStep(Agent.Create(Templating.InputsState, (input, context, _) =>
        {
            context.SetState(Templating.InputsState, input);
            return new ValueTask<AgentResult>(AgentResult.Success(input));
        }), Templating.InputsState));
        AddChain(builder, top is SequentialDefinition sequential && !top.HasOptions ? sequential.Steps : [top], [Templating.InputsState]);
        Agents.MakeToolAgents();
        var subscriptions = _document.Subscriptions.Select(s => (s.Topic, Scope($"{_document.Name}-on-{s.Step.Id}", [s.Step]))).ToArray();
        return new BuiltWorkflowFile(_document, builder.Build(), subscriptions);
    }

    /// <summary>A workflow of the given steps in sequence (a branch, a specialist, a state's step, a graph node).</summary>
    public Workflow Scope(string name, IReadOnlyList<StepDefinition> steps)
    {
        var builder = new WorkflowBuilder(name);
        AddChain(builder, steps, []);
        return builder.Build();
    }

    /// <summary>A step as an agent (a specialist, a state's step): its agent when it is a plain agent step, else a workflow of it.</summary>
    public IAgent AsAgent(StepDefinition step) =>
        step is AgentStepDefinition agentStep && !step.HasOptions && Agents.Get(agentStep.Agent) is var agent && agent is not WorkflowAgentMarker
            ? agent
            : Scope(step.Id, [step]).AsAgent();

    /// <summary>True when the step is a plain call of a model or template agent (it can be given to a pattern as that agent).</summary>
    public bool IsPlainAgent(StepDefinition step, out IAgent agent)
    {
        agent = null!;
        if (step is not AgentStepDefinition agentStep || step.InputTemplate is not null || step.As is not null) return false;
        agent = Agents.Get(agentStep.Agent);
        return agent is not WorkflowAgentMarker;
    }

    /// <summary>Adds steps one after the other; returns the ids whose success continues to whatever follows.</summary>
    private List<string> AddChain(WorkflowBuilder builder, IReadOnlyList<StepDefinition> steps, List<string> previous)
    {
        foreach (var step in steps)
        {
            builder.AddStep(ToStep(step));
            foreach (var from in previous) builder.AddEdge(from, step.Id);
            previous = [step.Id];
            if (step.OnError is { } fallback)
            {
                // The fallback gets { error, partial }; when it succeeds its output stands in for the failed step's.
                builder.AddStep(ToStep(fallback));
                builder.OnError(step.Id, fallback.Id);
                previous.Add(fallback.Id);
            }
        }

        return previous;
    }

    /// <summary>The step with its options: an agent step carries them itself; any other is made by its kind's builder and wrapped.</summary>
    private Step ToStep(StepDefinition step)
    {
        if (step is AgentStepDefinition agentStep && Agents.Get(agentStep.Agent) is var agent && agent is not WorkflowAgentMarker)
        {
            var resource = Agents.ResourceOf(step, agentStep.Agent);
            // A model agent draws once per model call (on the step's resource when it names one), so the step does not draw per attempt.
            if (resource is not null && agent is Baton.AI.ModelAgent modelAgent) (agent, resource) = (modelAgent.WithResource(resource), null);
            return StepOptionsBuilder.AgentStep(agent, step, resource);
        }

        return StepOptionsBuilder.Wrap(StepKindBuilders.For(step).Build(this, step), step);
    }
}
