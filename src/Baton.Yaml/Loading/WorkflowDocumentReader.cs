using System.Text.Json.Nodes;
using Baton.Yaml.Model;
using Baton.Yaml.Model.Steps;
using Baton.Yaml.Providers;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading;

/// <summary>
/// Reads a workflow file into a <see cref="WorkflowDocument"/>, checking it against the format: every problem is
/// collected with its line and column — bad YAML, unknown keys (with a suggestion), wrong types, references to agents,
/// models, resources or states that do not exist, invalid durations, expressions and templates, and state machines
/// with a state that can never reach the end. Steps are read by <see cref="StepReader"/>, models by their provider
/// (<see cref="ModelsReader"/>), limits by <see cref="LimitsReader"/>.
/// </summary>
internal sealed class WorkflowDocumentReader
{
    private static readonly string[] TopKeys = ["version", "name", "description", "inputs", "models", "resources", "agents", "workflow", "on", "limits", "tools"];
    private static readonly string[] InputKeys = ["type", "default", "required", "description"];
    private static readonly string[] InputTypes = ["string", "number", "boolean", "object", "array"];
    private static readonly string[] ResourceKeys = ["requestsPerMinute", "tokensPerMinute", "maxConcurrency"];
    private static readonly string[] ModelAgentKeys = ["model", "instructions", "tools", "output", "resource", "maxTurns", "description", "guardrails"];
    private static readonly string[] TemplateAgentKeys = ["template", "json", "description", "guardrails"];
    private static readonly string[] WorkflowAgentKeys = ["workflow", "description", "guardrails"];

    private readonly Diagnostics _diagnostics;
    private readonly YamlNodes _nodes;
    private readonly References _references = new();
    private readonly StepReader _steps;
    private readonly ModelProviders _providers;

    private WorkflowDocumentReader(string file, ModelProviders providers, bool secretsOptional)
    {
        _diagnostics = new Diagnostics(file) { SecretsOptional = secretsOptional };
        _nodes = new YamlNodes(_diagnostics);
        _steps = new StepReader(_nodes, _references);
        _providers = providers;
    }

    public static WorkflowFileReadResult Read(string text, string file, ModelProviders providers, bool secretsOptional = false)
    {
        var reader = new WorkflowDocumentReader(file, providers, secretsOptional);
        var document = reader.ReadDocument(text);
        var errors = reader._diagnostics.Sorted();
        return new WorkflowFileReadResult(errors.Count == 0 ? document : null, errors) { Warnings = [.. reader._diagnostics.Warnings] };
    }

    private WorkflowDocument? ReadDocument(string text)
    {
        var stream = new YamlStream();
        if (text.Length > WorkflowFileLimits.MaxFileLength)
        {
            _diagnostics.Add(Mark.Empty, $"the file is {text.Length} characters long; at most {WorkflowFileLimits.MaxFileLength} (1 MiB) are read");
            return null;
        }

        var parser = new TrackingParser(new BoundedParser(new Parser(new StringReader(text))));
        try
        {
            stream.Load(parser);
        }
        catch (YamlLimitException ex)
        {
            _diagnostics.Add(ex.Start, ex.Message);
            return null;
        }
        catch (YamlException ex)
        {
            // Some errors carry no position of their own (1:1): then where the parser got to is the best place.
            var marks = new[] { ex.Start, ex.End, (Innermost(ex) as YamlException)?.Start ?? Mark.Empty, parser.LastEnd };
            var mark = marks.FirstOrDefault(m => m.Line > 1 || m.Column > 1, ex.Start);
            _diagnostics.Add(mark, $"invalid YAML: {Innermost(ex).Message.Split(": ", 2)[^1]}");
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // The parser gave up without a position of its own: the problem is just after the last thing it read.
            _diagnostics.Add(parser.LastEnd, "invalid YAML: the structure is broken after this point (an unclosed bracket or quote, or a bad indentation)");
            return null;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            _diagnostics.Add(stream.Documents.Count == 0 ? Mark.Empty : stream.Documents[0].RootNode.Start, "a workflow file must be a map with at least 'version' and 'workflow'");
            return null;
        }

        var keys = _nodes.Keys(root, "the workflow file", TopKeys);
        if (!keys.TryGetValue("version", out var version)) _diagnostics.Add(root, "'version: 1' is missing");
        else if (version.Value is not YamlScalarNode { Value: "1" }) _diagnostics.Add(version.Value, "'version' must be 1");
        // Templates are checked against the declared inputs, so those are read first.
        var declaredInputs = keys.TryGetValue("inputs", out var inputs) ? ReadInputs(inputs.Value) : [];
        _nodes.DeclaredInputs = declaredInputs.Select(i => i.Name).ToArray();
        var models = keys.TryGetValue("models", out var m) ? ModelsReader.Read(_nodes, _references, _providers, m.Value) : new Dictionary<string, ModelDefinition>();
        var resources = keys.TryGetValue("resources", out var r) ? ReadResources(r.Value) : new Dictionary<string, ResourceOptions>();
        var tools = keys.TryGetValue("tools", out var toolsNode) ? ToolsReader.Read(_nodes, _references, toolsNode.Value) : new Dictionary<string, ToolDefinition>();
        var agents = keys.TryGetValue("agents", out var a) ? ReadAgents(a.Value, models) : new Dictionary<string, AgentDefinition>();
        if (toolsNode.Value is not null) ToolsReader.CheckDescriptions(_nodes, toolsNode.Value, tools, agents);
        _steps.AgentNames = agents.Keys.ToHashSet(StringComparer.Ordinal);
        _steps.ModelNames = models.Keys.ToHashSet(StringComparer.Ordinal);
        _steps.ToolNames = tools.Keys.ToHashSet(StringComparer.Ordinal);
        StepDefinition? workflow = null;
        if (keys.TryGetValue("workflow", out var w)) workflow = _steps.ReadStep(w.Value, "workflow");
        else _diagnostics.Add(root, "'workflow' is missing: it names the step that runs");
        var subscriptions = keys.TryGetValue("on", out var on) ? ReadSubscriptions(on.Value) : [];

        _references.Check(_diagnostics, agents.Keys, resources.Keys);

        return new WorkflowDocument
        {
            File = _diagnostics.File,
            Name = keys.TryGetValue("name", out var name) ? _nodes.Name(name.Value, "'name'") ?? "workflow" : Path.GetFileNameWithoutExtension(_diagnostics.File),
            Description = keys.TryGetValue("description", out var description) ? _nodes.Text(description.Value, "'description'") : null,
            Inputs = declaredInputs,
            Models = models,
            Resources = resources,
            Agents = agents,
            Tools = tools,
            Workflow = workflow,
            Subscriptions = subscriptions,
            Limits = keys.TryGetValue("limits", out var limits) ? LimitsReader.Read(_nodes, limits.Value) : LimitsReader.Defaults,
            Providers = _providers,
        };
    }

    private List<InputDefinition> ReadInputs(YamlNode node)
    {
        var result = new List<InputDefinition>();
        if (_nodes.Mapping(node, "'inputs'") is not { } mapping) return result;
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (_nodes.Name(keyNode, "an input's name") is not { } name) continue;
            if (_nodes.Mapping(value, $"input '{name}'") is not { } spec) continue;
            var keys = _nodes.Keys(spec, $"input '{name}'", InputKeys);
            var type = "string";
            if (keys.TryGetValue("type", out var t) && _nodes.Text(t.Value, "'type'") is { } typeText)
            {
                if (InputTypes.Contains(typeText)) type = typeText;
                else _diagnostics.Add(t.Value, $"input type '{typeText}' is not one of {string.Join(", ", InputTypes)}{DidYouMean.For(typeText, InputTypes)}");
            }

            JsonNode? defaultValue = null;
            if (keys.TryGetValue("default", out var d))
            {
                defaultValue = YamlNodes.ToJson(d.Value);
                if (!InputChecks.Matches(type, defaultValue)) _diagnostics.Add(d.Value, $"the default of input '{name}' is not a {type}");
            }

            var required = keys.TryGetValue("required", out var req) && _nodes.Boolean(req.Value, "'required'") == true;
            result.Add(new InputDefinition(name, type, defaultValue, required));
        }

        return result;
    }

    private Dictionary<string, ResourceOptions> ReadResources(YamlNode node)
    {
        var resources = new Dictionary<string, ResourceOptions>(StringComparer.Ordinal);
        if (_nodes.Mapping(node, "'resources'") is not { } mapping) return resources;
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (_nodes.Name(keyNode, "a resource's name") is not { } name || _nodes.Mapping(value, $"resource '{name}'") is not { } spec) continue;
            var keys = _nodes.Keys(spec, $"resource '{name}'", ResourceKeys);
            resources[name] = new ResourceOptions
            {
                RequestsPerMinute = keys.TryGetValue("requestsPerMinute", out var rpm) ? _nodes.Integer(rpm.Value, "'requestsPerMinute'", 1) : null,
                TokensPerMinute = keys.TryGetValue("tokensPerMinute", out var tpm) ? _nodes.Integer(tpm.Value, "'tokensPerMinute'", 1) : null,
                MaxConcurrency = keys.TryGetValue("maxConcurrency", out var mc) ? _nodes.Integer(mc.Value, "'maxConcurrency'", 1) : null,
            };
        }

        return resources;
    }

    private Dictionary<string, AgentDefinition> ReadAgents(YamlNode node, IReadOnlyDictionary<string, ModelDefinition> models)
    {
        var agents = new Dictionary<string, AgentDefinition>(StringComparer.Ordinal);
        if (_nodes.Mapping(node, "'agents'") is not { } mapping) return agents;
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (_nodes.Name(keyNode, "an agent's name") is not { } name || _nodes.Mapping(value, $"agent '{name}'") is not { } spec) continue;
            bool Has(string key) => spec.Children.ContainsKey(new YamlScalarNode(key));
            if (Has("template"))
            {
                var keys = _nodes.Keys(spec, $"agent '{name}'", TemplateAgentKeys);
                agents[name] = new AgentDefinition(name, AgentKind.Template)
                {
                    Template = _nodes.Template(keys["template"].Value, "'template'"),
                    Json = keys.TryGetValue("json", out var j) && _nodes.Boolean(j.Value, "'json'") == true,
                };
            }
            else if (Has("workflow"))
            {
                var keys = _nodes.Keys(spec, $"agent '{name}'", WorkflowAgentKeys);
                var workflow = keys["workflow"].Value;
                if (workflow is YamlMappingNode fileRef && fileRef.Children.Count == 1 && fileRef.Children.ContainsKey(new YamlScalarNode("file")))
                {
                    agents[name] = new AgentDefinition(name, AgentKind.Workflow) { WorkflowFile = _nodes.Text(fileRef.Children[new YamlScalarNode("file")], "'file'") };
                }
                else
                {
                    // The agents its steps name are inside it: a cycle among workflow agents is found when the file is checked.
                    _references.Within = name;
                    agents[name] = new AgentDefinition(name, AgentKind.Workflow) { Workflow = _steps.ReadStep(workflow, $"agent '{name}'") };
                    _references.Within = null;
                }
            }
            else if (Has("model"))
            {
                var keys = _nodes.Keys(spec, $"agent '{name}'", ModelAgentKeys);
                var model = _nodes.Text(keys["model"].Value, "'model'");
                if (model is not null && !models.ContainsKey(model)) _diagnostics.Add(keys["model"].Value, $"there is no model '{model}'{DidYouMean.For(model, models.Keys)}");
                string? schema = null;
                if (keys.TryGetValue("output", out var output))
                {
                    if (output.Value is YamlScalarNode { Value: "text" }) schema = null;
                    else if (output.Value is YamlMappingNode outputMap && _nodes.Keys(outputMap, "'output'", ["schema"]).TryGetValue("schema", out var s))
                    {
                        schema = YamlNodes.ToJson(s.Value) is JsonObject schemaObject ? schemaObject.ToJsonString() : null;
                        if (schema is null) _diagnostics.Add(s.Value, "'schema' must be a JSON schema object");
                        else OutputSchemas.Check(_diagnostics, s.Value, schema);
                    }
                    else _diagnostics.Add(output.Value, "'output' is 'text' or a map with 'schema'");
                }

                var toolNames = keys.TryGetValue("tools", out var t) && _nodes.Sequence(t.Value, "'tools'") is { } toolList
                    ? toolList.Children.Select(x => (Name: _nodes.Text(x, "a tool name"), Position: ((int)x.Start.Line, (int)x.Start.Column))).Where(x => x.Name is not null).Select(x => (Name: x.Name!, x.Position)).ToArray()
                    : [];
                agents[name] = new AgentDefinition(name, AgentKind.Model)
                {
                    Model = model,
                    Instructions = keys.TryGetValue("instructions", out var i) ? _nodes.Template(i.Value, "'instructions'") : null,
                    Tools = toolNames.Select(x => x.Name).ToArray(),
                    ToolPositions = toolNames.GroupBy(x => x.Name).ToDictionary(x => x.Key, x => x.First().Position, StringComparer.Ordinal),
                    OutputSchema = schema,
                    MaxTurns = keys.TryGetValue("maxTurns", out var mt) ? _nodes.Integer(mt.Value, "'maxTurns'", 1) ?? 8 : 8,
                    Resource = keys.TryGetValue("resource", out var res) ? _references.Resource(_nodes, res.Value) : null,
                };
            }
            else
            {
                _diagnostics.Add(spec, $"agent '{name}' needs 'model' (a model agent), 'template' (a template agent) or 'workflow' (a workflow agent)");
            }

            if (agents.TryGetValue(name, out var read))
            {
                var described = spec.Children.TryGetValue(new YamlScalarNode("description"), out var d) ? _nodes.Text(d, "'description'") : null;
                var guarded = spec.Children.TryGetValue(new YamlScalarNode("guardrails"), out var g) ? GuardrailsReader.Read(_nodes, _references, g, name) : null;
                agents[name] = read with { Description = described, Guardrails = guarded };
            }
        }

        return agents;
    }

    private List<(string, StepDefinition)> ReadSubscriptions(YamlNode node)
    {
        var result = new List<(string, StepDefinition)>();
        if (_nodes.Mapping(node, "'on'") is not { } mapping) return result;
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (_nodes.Text(keyNode, "a topic") is not { } topic) continue;
            var steps = value is YamlSequenceNode list ? list.Children : [value];
            foreach (var step in steps) if (_steps.ReadStep(step, $"subscription '{topic}'") is { } definition) result.Add((topic, definition));
        }

        return result;
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null) exception = exception.InnerException;
        return exception;
    }
}
