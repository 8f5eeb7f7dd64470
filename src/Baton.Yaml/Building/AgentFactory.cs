using Baton.Yaml.Model;
using Baton.Yaml.Model.Steps;
using Baton.Yaml.Providers;
using Microsoft.Extensions.AI;

namespace Baton.Yaml.Building;

/// <summary>
/// Makes the file's named agents once each: template agents, model agents (the chat client from the model's provider,
/// the agent from the <see cref="ModelAgentFactory"/>) and workflow agents (inline, or another file).
/// </summary>
internal sealed class AgentFactory(WorkflowDocument document, ModelAgentFactory? modelAgents, Func<string, BuiltWorkflowFile>? loadFile, Func<string, IReadOnlyList<StepDefinition>, Workflow> scope)
{
    private readonly Dictionary<string, IAgent> _agents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IChatClient> _clients = new(StringComparer.Ordinal);
    private readonly HashSet<string> _building = new(StringComparer.Ordinal);
    private FileTools? _tools;

    /// <summary>The file's tools, made once.</summary>
    private FileTools Tools => _tools ??= new FileTools(document, name =>
    {
        // Called when a tool is first used, maybe while the run goes on: the agents were made when the file was built.
        lock (_agents) return Callable(name);
    });

    /// <summary>Makes every agent a file tool calls, so a run never builds one (see <see cref="WorkflowDocumentBuilder.Build"/>).</summary>
    public void MakeToolAgents()
    {
        foreach (var tool in document.Tools.Values)
        {
            if (tool.Agent is { } agent) Get(agent);
        }
    }

    /// <summary>True when <paramref name="name"/> is one of the file's <c>tools:</c>.</summary>
    public bool IsTool(string name) => Tools.Has(name);

    /// <summary>The file's tools of the given names (made once per built file): functions, and the sources of MCP servers.</summary>
    public (IReadOnlyList<AITool> Tools, IReadOnlyList<Baton.AI.IToolSource> Sources) ToolsNamed(IEnumerable<string> names) => Tools.For(names);

    /// <summary>The agent of a name; a workflow agent comes as a <see cref="WorkflowAgentMarker"/> to place as a nested workflow.</summary>
    public IAgent Get(string name)
    {
        if (_agents.TryGetValue(name, out var built)) return built;
        var definition = document.Agents[name];
        if (!_building.Add(name)) throw new InvalidOperationException($"agent '{name}' contains itself");
        try
        {
            IAgent agent = definition.Kind switch
            {
                AgentKind.Template => TemplateAgent(definition),
                AgentKind.Workflow when definition.WorkflowFile is { } file => new WorkflowAgentMarker(LoadFile(file).Workflow),
                AgentKind.Workflow => new WorkflowAgentMarker(scope(name, definition.Workflow is SequentialDefinition sequential ? sequential.Steps : [definition.Workflow!])),
                _ => ModelAgent(definition),
            };
            if (definition.Guardrails is { } guardrails)
            {
                // A guarded workflow agent is called as an agent (its steps still nest under its step), not placed inline.
                var guarded = FileGuardrails.Build(guardrails, Callable);
                agent = agent is WorkflowAgentMarker workflow ? new GuardedAgent(workflow.Workflow.AsAgent(), guarded) : agent.WithGuardrails(guarded);
            }

            _agents[name] = agent;
            return agent;
        }
        finally
        {
            _building.Remove(name);
        }
    }

    /// <summary>The agent of a name, a workflow agent as its workflow's agent: for callers that only call it.</summary>
    public IAgent Callable(string name) => Get(name) is WorkflowAgentMarker workflow ? workflow.Workflow.AsAgent() : Get(name);

    /// <summary>The chat client of a named model, made once per built workflow.</summary>
    public IChatClient Client(string model)
    {
        if (!_clients.TryGetValue(model, out var client))
        {
            var definition = document.Models[model];
            client = definition.Provider.CreateClient(definition);
            _clients[model] = client;
        }

        return client;
    }

    /// <summary>The definition of a named agent.</summary>
    public AgentDefinition Definition(string name) => document.Agents[name];

    /// <summary>The resource an agent step draws on: its own, else its agent's, else its model's.</summary>
    public string? ResourceOf(StepDefinition step, string agent)
    {
        var definition = document.Agents[agent];
        return step.Resource ?? definition.Resource ?? (definition.Model is { } model ? document.Models[model].Resource : null);
    }

    private IAgent TemplateAgent(AgentDefinition definition) => Agent.Create(definition.Name, (input, context, cancellationToken) =>
    {
        var text = Templating.Render(definition.Template!, input, context.State, cancellationToken);
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
        var model = document.Models[definition.Model!];
        if (modelAgents is null) throw new InvalidOperationException($"agent '{definition.Name}' is a model agent, and no model agent factory was given");
        var client = Client(model.Name);

        var fileTools = definition.Tools.Where(Tools.Has).ToArray();
        IAgent built;
        try
        {
            built = modelAgents(definition with { Tools = [.. definition.Tools.Except(fileTools)] }, client, Templating.Render);
        }
        catch (InvalidOperationException ex) when (definition.Tools.Except(fileTools).Any())
        {
            // A tool name neither the file nor the factory knows: reported where the agent names it.
            var known = document.Tools.Keys.ToArray();
            throw new WorkflowFileException([.. definition.Tools.Except(fileTools).Select(t => definition.ToolPositions.TryGetValue(t, out var at)
                ? new WorkflowFileError(document.File, at.Line, at.Column, known.Length == 0
                    ? $"agent '{definition.Name}' names tool '{t}', which is not defined (the file has no 'tools:'): {ex.Message}"
                    : $"agent '{definition.Name}' names tool '{t}', which is not defined{DidYouMeanTool(t, known)}")
                : new WorkflowFileError(document.File, 1, 1, ex.Message))]);
        }

        if (fileTools.Length > 0)
        {
            if (built is not Baton.AI.ModelAgent withTools) throw new InvalidOperationException($"agent '{definition.Name}' names file tools, but the model agent factory did not make a Baton.AI ModelAgent to give them to");
            var (tools, sources) = Tools.For(fileTools);
            built = withTools.WithTools(tools, sources);
        }

        // Wherever the agent runs (a step, a voter, a judge...), each of its model calls draws on its resource, else its model's.
        return built is Baton.AI.ModelAgent agent && (definition.Resource ?? model.Resource) is { } resource ? agent.WithResource(resource) : built;
    }

    private static string DidYouMeanTool(string tool, string[] known) => Loading.DidYouMean.For(tool, known) is { Length: > 0 } hint ? hint : $"; tools: {string.Join(", ", known)}";

    private BuiltWorkflowFile LoadFile(string file)
    {
        var path = Path.IsPathRooted(file) ? file : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(document.File)) ?? ".", file);
        return loadFile?.Invoke(path) ?? throw new InvalidOperationException($"workflow file '{file}' cannot be loaded here");
    }
}
