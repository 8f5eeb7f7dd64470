using System.Text.Json.Nodes;
using Baton.AI;
using Microsoft.Extensions.AI;

namespace Baton.Yaml;

/// <summary>
/// Makes a read workflow file into the objects the C# builders make: a <see cref="Workflow"/> whose first step stores
/// the inputs in run state (<c>inputs</c>, which templates and expressions read), then the file's steps.
/// </summary>
internal sealed class WorkflowDocumentBuilder
{
    /// <summary>The run state variable holding the workflow's inputs.</summary>
    public const string InputsState = PromptTemplate.InputsState;

    private readonly WorkflowDocument _document;
    private readonly ModelAgentFactory? _modelAgents;
    private readonly Func<string, BuiltWorkflowFile>? _loadFile;
    private readonly Dictionary<string, IAgent> _agents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IChatClient> _clients = new(StringComparer.Ordinal);
    private readonly HashSet<string> _building = new(StringComparer.Ordinal);

    public WorkflowDocumentBuilder(WorkflowDocument document, ModelAgentFactory? modelAgents, Func<string, BuiltWorkflowFile>? loadFile)
    {
        _document = document;
        _modelAgents = modelAgents;
        _loadFile = loadFile;
    }

    public BuiltWorkflowFile Build()
    {
        var top = _document.Workflow ?? throw new InvalidOperationException("the file has no workflow");
        var builder = new WorkflowBuilder(_document.Name).WithLimits(_document.Limits).DeclareState(InputsState, StateReducer.LastWriteWins);
        if (_document.Description is { } description) builder.Describe(description);
        builder.AddStep(new AgentStep(Agent.Create(InputsState, (input, context, _) =>
        {
            context.SetState(InputsState, input);
            return new ValueTask<AgentResult>(AgentResult.Success(input));
        }), InputsState));
        AddChain(builder, top.Kind == StepKind.Sequential && top.InputTemplate is null && top.As is null && top.Retry is null && top.Timeout is null && top.OnError is null && top.Resource is null ? top.Steps : [top], [InputsState]);
        var subscriptions = _document.Subscriptions.Select(s => (s.Topic, Scope($"{_document.Name}-on-{s.Step.Id}", [s.Step]))).ToArray();
        return new BuiltWorkflowFile(_document, builder.Build(), subscriptions);
    }

    /// <summary>Adds steps one after the other; returns the ids whose success continues to whatever follows.</summary>
    private List<string> AddChain(WorkflowBuilder builder, IReadOnlyList<StepDefinition> steps, List<string> previous)
    {
        foreach (var step in steps)
        {
            var id = AddStep(builder, step);
            foreach (var from in previous) builder.AddEdge(from, id);
            previous = [id];
            if (step.OnError is { } fallback)
            {
                // The fallback gets { error, partial }; when it succeeds its output stands in for the failed step's.
                var fallbackId = AddStep(builder, fallback);
                builder.OnError(id, fallbackId);
                previous.Add(fallbackId);
            }
        }

        return previous;
    }

    /// <summary>A workflow of the given steps in sequence (a branch, a specialist, a state's step).</summary>
    private Workflow Scope(string name, IReadOnlyList<StepDefinition> steps)
    {
        var builder = new WorkflowBuilder(name);
        AddChain(builder, steps, []);
        return builder.Build();
    }

    private string AddStep(WorkflowBuilder builder, StepDefinition step)
    {
        builder.AddStep(ToStep(step));
        return step.Id;
    }

    private Step ToStep(StepDefinition step)
    {
        if (step.Kind == StepKind.Agent && AgentFor(step.Agent!) is var agent && agent is not WorkflowAgentMarker)
        {
            var definition = _document.Agents[step.Agent!];
            // A model agent draws on its own resource, else its model's.
            var resource = step.Resource ?? definition.Resource ?? (definition.Model is { } model ? _document.Models[model].Resource : null);
            // A model agent draws once per model call (on the step's resource when it names one), so the step does not draw per attempt.
            if (resource is not null && agent is ModelAgent modelAgent) (agent, resource) = (modelAgent.WithResource(resource), null);
            return new AgentStep(Decorate(agent, step), step.Id) { Retry = step.Retry, Timeout = step.Timeout, Resource = resource };
        }

        var core = Composite(step);
        if (step.InputTemplate is null && step.As is null && step.Retry is null && step.Timeout is null && step.Resource is null) return core;
        // Options on a composite step: the step runs inside a one-step workflow that carries them.
        var wrapper = new WorkflowBuilder(step.Id);
        var previous = new List<string>();
        if (step.InputTemplate is { } input)
        {
            wrapper.AddStep(new AgentStep(Agent.Create("input", (payload, context, _) =>
                new ValueTask<AgentResult>(AgentResult.Success(RenderPayload(input, payload, context.State)))), "input"));
            previous.Add("input");
        }

        wrapper.AddStep(core);
        foreach (var from in previous) wrapper.AddEdge(from, core.Id);
        if (step.As is { } name)
        {
            wrapper.AddStep(new AgentStep(Agent.Create("as", (payload, context, _) =>
            {
                context.SetState(name, payload);
                return new ValueTask<AgentResult>(AgentResult.Success(payload));
            }), "as"));
            wrapper.AddEdge(core.Id, "as");
        }

        return new AgentStep(wrapper.Build().AsAgent(), step.Id) { Retry = step.Retry, Timeout = step.Timeout, Resource = step.Resource };
    }

    private Step Composite(StepDefinition step) => step.Kind switch
    {
        StepKind.Agent => new AgentStep(AgentFor(step.Agent!) is WorkflowAgentMarker marker ? marker.Workflow.AsAgent() : throw new InvalidOperationException(), step.Id),
        StepKind.Sequential => new AgentStep(Scope(step.Id, step.Steps).AsAgent(), step.Id),
        StepKind.Parallel => Parallel(step),
        StepKind.ForEach => ForEach(step),
        StepKind.Route => Route(step),
        StepKind.States => States(step),
        StepKind.Vote => Vote(step.Id, step.Branches, step.Vote!),
        StepKind.Ask => new AskStep(step.Id, (input, state) => new HumanQuestion(Render(step.Prompt!, input, state))),
        StepKind.Emit => new AgentStep(Agent.Create(step.Id, (input, context, _) =>
        {
            var data = RenderData(step.Data, input, context.State);
            var payload = data is null ? Payload.Empty : data is JsonValue value && value.TryGetValue<string>(out var text) ? Payload.FromText(text) : Payload.ParseJson(data.ToJsonString());
            context.Publish(step.Topic!, payload);
            return new ValueTask<AgentResult>(AgentResult.Success(payload));
        }), step.Id),
        _ => new AgentStep(Agent.Create(step.Id, (input, context, _) =>
        {
            foreach (var (name, expression) in step.Assignments) context.SetState(name, expression.Evaluate(Scope(input, input, null, context.State)));
            return new ValueTask<AgentResult>(AgentResult.Success(input));
        }), step.Id),
    };

    private Step Parallel(StepDefinition step)
    {
        if (step.Merge == "vote") return Vote(step.Id, step.Branches, step.Vote!);
        var parallel = new ParallelBuilder(step.Id);
        foreach (var (name, branch) in step.Branches) parallel.Branch(name, Scope(name, [branch]));
        parallel.MergeWith(MergeFor(step.Merge));
        if (step.MaxParallel is { } max) parallel.MaxParallel(max);
        return parallel.BuildStep(step.Id);
    }

    private Step ForEach(StepDefinition step)
    {
        // The items expression sees the run state, so it runs as a step of its own before the fan-out.
        var items = step.Items!;
        var scope = new WorkflowBuilder(step.Id)
            .AddStep(new AgentStep(Agent.Create("items", (input, context, _) =>
                new ValueTask<AgentResult>(AgentResult.Success(ArrayOf(items.EvaluateArray(Scope(input, input, null, context.State)))))), "items"))
            .AddStep(new ForEachStep("each", Scope("item", step.Steps)) { Merge = MergeFor(step.Merge), MaxParallel = step.MaxParallel })
            .AddEdge("items", "each")
            .Build();
        return new AgentStep(scope.AsAgent(), step.Id);
    }

    private Step Route(StepDefinition step)
    {
        var route = new ManagerWorkerBuilder(step.Id);
        if (step.Agent is { } classifier) route.Classify(AgentFor(classifier) is WorkflowAgentMarker m ? m.Workflow.AsAgent() : AgentFor(classifier));
        else
        {
            // As agents, so the expressions see the run state (and inputs) like every other expression.
            var classify = step.ClassifyExpression!;
            route.Classify(Agent.Create("classify", (input, context, _) =>
                new ValueTask<AgentResult>(AgentResult.Success(Payload.FromText(classify.Evaluate(Scope(input, input, null, context.State)).AsText())))));
        }

        foreach (var (key, specialists) in step.Routes) route.Route(key, [.. specialists.Select(s => AsAgent(s))]);
        if (step.Default is { } defaultKey) route.Default(defaultKey);
        if (step.ValidateAgent is { } validator) route.Validate(AgentFor(validator));
        else if (step.ValidateExpression is { } validate)
        {
            route.Validate(Agent.Create("validate", (input, context, _) =>
            {
                var answer = input.Get<RouteAnswer>()!;
                var accepted = validate.EvaluateBoolean(Scope(answer.Task, answer.Output, null, context.State));
                return new ValueTask<AgentResult>(AgentResult.Success(Payload.From(new { approved = accepted, reason = accepted ? null : $"'{validate.Source}' does not hold for the answer" })));
            }));
        }

        route.MaxAttempts(step.MaxAttempts);
        return route.BuildStep(step.Id);
    }

    private Step States(StepDefinition step)
    {
        var machine = new StateMachineBuilder(step.Id);
        foreach (var state in step.States) machine.State(state.Name, AsAgent(state.Do));
        foreach (var state in step.States)
        {
            foreach (var (when, target, _, _) in state.Transitions)
            {
                machine.Transition(state.Name, Target(target), outcome => when.EvaluateBoolean(Scope(outcome.Input, outcome.Output, outcome.Confidence, outcome.State)), when.Source);
            }

            if (state.Next is { } next) machine.Transition(state.Name, Target(next));
        }

        if (step.Start is { } start) machine.Start(start);
        return new AgentStep(machine.Build().AsAgent(), step.Id);

        static string Target(string name) => name == "end" ? Edge.End : name;
    }

    private Step Vote(string id, IReadOnlyList<(string Name, StepDefinition Step)> voters, VoteDefinition settings)
    {
        var vote = new VoteBuilder(id);
        foreach (var (name, voter) in voters)
        {
            if (voter.Kind == StepKind.Agent && voter.InputTemplate is null && voter.As is null && AgentFor(voter.Agent!) is not WorkflowAgentMarker) vote.Voter(AgentFor(voter.Agent!), name);
            else vote.Voter(name, Scope(name, [voter]));
        }

        vote.Strategy(settings.Strategy switch
        {
            "unanimous" => VoteStrategy.Unanimous,
            "weighted" => VoteStrategy.Weighted,
            "judge" => VoteStrategy.Judge,
            _ => VoteStrategy.Majority,
        });
        if (settings.Judge is { } judge) vote.Judge(AgentFor(judge));
        vote.OnTie(settings.OnTie switch
        {
            "judge" => VoteTieRule.Judge,
            "human" => VoteTieRule.Human,
            _ => VoteTieRule.First,
        });
        return vote.BuildStep(id);
    }

    private Merge MergeFor(string merge) => merge switch
    {
        "list" => Merge.List,
        "object" => Merge.ByName,
        "concat" => Merge.Concat,
        _ => Merge.WithAgent(AgentFor(merge)),
    };

    /// <summary>A step as an agent (a specialist, a state's step): its agent when it is a plain agent step, else a workflow of it.</summary>
    private IAgent AsAgent(StepDefinition step) =>
        step.Kind == StepKind.Agent && step.InputTemplate is null && step.As is null && step.Retry is null && step.Timeout is null && step.OnError is null && step.Resource is null && AgentFor(step.Agent!) is not WorkflowAgentMarker
            ? AgentFor(step.Agent!)
            : Scope(step.Id, [step]).AsAgent();

    private IAgent Decorate(IAgent agent, StepDefinition step)
    {
        if (step.InputTemplate is null && step.As is null) return agent;
        return Agent.Create(agent.Name, async (input, context, cancellationToken) =>
        {
            if (step.InputTemplate is { } template) input = RenderPayload(template, input, context.State);
            var result = await agent.InvokeAsync(input, context, cancellationToken).ConfigureAwait(false);
            if (step.As is { } name && result.IsSuccess) context.SetState(name, result.Output);
            return result;
        });
    }

    private IAgent AgentFor(string name)
    {
        if (_agents.TryGetValue(name, out var built)) return built;
        var definition = _document.Agents[name];
        if (!_building.Add(name)) throw new InvalidOperationException($"agent '{name}' contains itself");
        try
        {
            IAgent agent = definition.Kind switch
            {
                AgentKind.Template => TemplateAgent(definition),
                AgentKind.Workflow when definition.WorkflowFile is { } file => new WorkflowAgentMarker(LoadFile(file).Workflow),
                AgentKind.Workflow => new WorkflowAgentMarker(Scope(name, definition.Workflow!.Kind == StepKind.Sequential ? definition.Workflow.Steps : [definition.Workflow])),
                _ => ModelAgent(definition),
            };
            _agents[name] = agent;
            return agent;
        }
        finally
        {
            _building.Remove(name);
        }
    }

    private IAgent TemplateAgent(AgentDefinition definition) => Agent.Create(definition.Name, (input, context, _) =>
    {
        var text = Render(definition.Template!, input, context.State);
        if (!definition.Json) return new ValueTask<AgentResult>(AgentResult.Success(Payload.FromText(text)));
        try
        {
            return new ValueTask<AgentResult>(AgentResult.Success(Payload.ParseJson(text)));
        }
        catch (System.Text.Json.JsonException ex)
        {
            return new ValueTask<AgentResult>(AgentResult.Failure(new StepError(ErrorKind.Fatal, $"template agent '{definition.Name}' rendered text that is not JSON: {ex.Message}") { Code = "template_json" }));
        }
    });

    private IAgent ModelAgent(AgentDefinition definition)
    {
        var model = _document.Models[definition.Model!];
        if (_modelAgents is null) throw new InvalidOperationException($"agent '{definition.Name}' is a model agent, and no model agent factory was given");
        if (!_clients.TryGetValue(model.Name, out var client))
        {
            client = model.Provider == "scripted" ? new ScriptedChatClient(model.Scripted!) : OpenAiCompatibleChatClient.Create(model.OpenAi!);
            _clients[model.Name] = client;
        }

        var built = _modelAgents(definition, client, Render);
        // Wherever the agent runs (a step, a voter, a judge...), each of its model calls draws on its resource, else its model's.
        return built is ModelAgent agent && (definition.Resource ?? model.Resource) is { } resource ? agent.WithResource(resource) : built;
    }

    private BuiltWorkflowFile LoadFile(string file)
    {
        var path = Path.IsPathRooted(file) ? file : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(_document.File)) ?? ".", file);
        return _loadFile?.Invoke(path) ?? throw new InvalidOperationException($"workflow file '{file}' cannot be loaded here");
    }

    private static string Render(string source, Payload input, IRunStateView state) => PromptTemplate.Parse(source).Render(input, state);

    private Payload RenderPayload(string source, Payload input, IRunStateView state) => Payload.FromText(Render(source, input, state));

    private JsonNode? RenderData(JsonNode? data, Payload input, IRunStateView state) => data switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, RenderData(p.Value, input, state)))),
        JsonArray array => new JsonArray([.. array.Select(item => RenderData(item, input, state))]),
        JsonValue value when value.TryGetValue<string>(out var text) => JsonValue.Create(Render(text, input, state)),
        _ => data?.DeepClone(),
    };

    private static Payload ArrayOf(IReadOnlyList<Payload> items) =>
        Payload.ParseJson(new JsonArray([.. items.Select(i => i.Kind switch
        {
            PayloadKind.Empty => null,
            PayloadKind.Text => JsonValue.Create(i.AsText()),
            _ => JsonNode.Parse(i.ToString()),
        })]).ToJsonString());

    private static ExpressionScope Scope(Payload input, Payload output, double? confidence, IRunStateView? state) => new()
    {
        Input = input,
        Output = output,
        Confidence = confidence,
        State = state,
        Inputs = state is not null && state.TryGet(InputsState, out var inputs) ? inputs : null,
    };

    /// <summary>A workflow agent: placed as a nested workflow, not called as a plain agent.</summary>
    private sealed class WorkflowAgentMarker(Workflow workflow) : IAgent
    {
        public Workflow Workflow { get; } = workflow;

        public string Name => Workflow.Name;

        public ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken) =>
            Workflow.AsAgent().InvokeAsync(input, context, cancellationToken);
    }
}
