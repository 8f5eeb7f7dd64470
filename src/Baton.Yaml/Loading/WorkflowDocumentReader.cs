using System.Text.Json.Nodes;
using Baton.AI;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml;

/// <summary>
/// Reads a workflow file into a <see cref="WorkflowDocument"/>, checking it against the format: every problem is
/// collected with its line and column — bad YAML, unknown keys (with a suggestion), wrong types, references to agents,
/// models, resources or states that do not exist, invalid durations, expressions and templates, and state machines
/// with a state that can never reach the end.
/// </summary>
internal sealed partial class WorkflowDocumentReader
{
    private static readonly string[] TopKeys = ["version", "name", "description", "inputs", "models", "resources", "agents", "workflow", "on", "limits"];
    private static readonly string[] InputKeys = ["type", "default", "required", "description"];
    private static readonly string[] InputTypes = ["string", "number", "boolean", "object", "array"];
    private static readonly string[] OpenAiKeys = ["provider", "model", "endpoint", "apiKey", "headers", "resource", "timeout"];
    private static readonly string[] ScriptedKeys = ["provider", "replies", "rules", "delay", "faults", "resource"];
    private static readonly string[] ResourceKeys = ["requestsPerMinute", "tokensPerMinute", "maxConcurrency"];
    private static readonly string[] ModelAgentKeys = ["model", "instructions", "tools", "output", "resource", "maxTurns", "description"];
    private static readonly string[] TemplateAgentKeys = ["template", "json", "description"];
    private static readonly string[] WorkflowAgentKeys = ["workflow", "description"];
    private static readonly string[] LimitKeys = ["maxSteps", "timeout", "maxTokens", "maxCost", "maxParallel"];
    private static readonly string[] PatternKeys = ["sequential", "parallel", "foreach", "route", "states", "vote", "ask", "emit", "set"];
    private static readonly string[] OptionKeys = ["id", "input", "as", "retry", "timeout", "onError", "resource"];

    private readonly Diagnostics _diagnostics;
    private readonly YamlNodes _nodes;
    private readonly List<(YamlNode Node, string Agent)> _agentReferences = [];
    private readonly List<(YamlNode Node, string Resource)> _resourceReferences = [];
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    private WorkflowDocumentReader(string file)
    {
        _diagnostics = new Diagnostics(file);
        _nodes = new YamlNodes(_diagnostics);
    }

    public static (WorkflowDocument? Document, IReadOnlyList<WorkflowFileError> Errors) Read(string text, string file)
    {
        var reader = new WorkflowDocumentReader(file);
        var document = reader.ReadDocument(text);
        var errors = reader._diagnostics.Sorted();
        return (errors.Count == 0 ? document : null, errors);
    }

    private WorkflowDocument? ReadDocument(string text)
    {
        var stream = new YamlStream();
        var parser = new TrackingParser(new Parser(new StringReader(text)));
        try
        {
            stream.Load(parser);
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
        var models = keys.TryGetValue("models", out var m) ? ReadModels(m.Value) : new Dictionary<string, ModelDefinition>();
        var resources = keys.TryGetValue("resources", out var r) ? ReadResources(r.Value) : new Dictionary<string, ResourceOptions>();
        var agents = keys.TryGetValue("agents", out var a) ? ReadAgents(a.Value, models) : new Dictionary<string, AgentDefinition>();
        _agentNames = agents.Keys.ToHashSet(StringComparer.Ordinal);
        StepDefinition? workflow = null;
        if (keys.TryGetValue("workflow", out var w)) workflow = ReadStep(w.Value, "workflow");
        else _diagnostics.Add(root, "'workflow' is missing: it names the step that runs");
        var subscriptions = keys.TryGetValue("on", out var on) ? ReadSubscriptions(on.Value) : [];

        foreach (var (node, agent) in _agentReferences)
        {
            if (!agents.ContainsKey(agent)) _diagnostics.Add(node, $"there is no agent '{agent}'{DidYouMean.For(agent, agents.Keys)}");
        }

        foreach (var (node, resource) in _resourceReferences)
        {
            if (!resources.ContainsKey(resource)) _diagnostics.Add(node, $"there is no resource '{resource}'{DidYouMean.For(resource, resources.Keys)}");
        }

        return new WorkflowDocument
        {
            File = _diagnostics.File,
            Name = keys.TryGetValue("name", out var name) ? _nodes.Name(name.Value, "'name'") ?? "workflow" : Path.GetFileNameWithoutExtension(_diagnostics.File),
            Description = keys.TryGetValue("description", out var description) ? _nodes.Text(description.Value, "'description'") : null,
            Inputs = keys.TryGetValue("inputs", out var inputs) ? ReadInputs(inputs.Value) : [],
            Models = models,
            Resources = resources,
            Agents = agents,
            Workflow = workflow,
            Subscriptions = subscriptions,
            Limits = keys.TryGetValue("limits", out var limits) ? ReadLimits(limits.Value) : RunLimits.Default,
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

    private Dictionary<string, ModelDefinition> ReadModels(YamlNode node)
    {
        var models = new Dictionary<string, ModelDefinition>(StringComparer.Ordinal);
        if (_nodes.Mapping(node, "'models'") is not { } mapping) return models;
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (_nodes.Name(keyNode, "a model's name") is not { } name || _nodes.Mapping(value, $"model '{name}'") is not { } spec) continue;
            var provider = spec.Children.TryGetValue(new YamlScalarNode("provider"), out var p) ? _nodes.Text(p, "'provider'") : null;
            if (provider is null)
            {
                _diagnostics.Add(spec, $"model '{name}' needs a 'provider': openai or scripted");
                continue;
            }

            var definition = provider switch
            {
                "scripted" => ReadScripted(name, spec),
                "openai" => ReadOpenAi(name, spec),
                _ => null,
            };
            if (definition is null && provider is not ("scripted" or "openai"))
            {
                _diagnostics.Add(p!, $"unknown provider '{provider}'{DidYouMean.For(provider, ["openai", "scripted"])}: use openai (any OpenAI-compatible endpoint) or scripted");
            }

            if (definition is not null) models[name] = definition;
        }

        return models;
    }

    private ModelDefinition? ReadScripted(string name, YamlMappingNode spec)
    {
        var keys = _nodes.Keys(spec, $"model '{name}'", ScriptedKeys);
        var replies = new List<ScriptedReply>();
        var rules = new List<ScriptedRule>();
        var faults = new List<ScriptedFault>();
        if (keys.TryGetValue("replies", out var r) && _nodes.Sequence(r.Value, "'replies'") is { } list)
        {
            foreach (var item in list) if (ReadReply(item) is { } reply) replies.Add(reply);
        }

        if (keys.TryGetValue("rules", out var ru) && _nodes.Sequence(ru.Value, "'rules'") is { } ruleList)
        {
            foreach (var item in ruleList)
            {
                if (_nodes.Mapping(item, "a rule") is not { } rule) continue;
                var ruleKeys = _nodes.Keys(rule, "a rule", ["match", "reply"]);
                if (!ruleKeys.TryGetValue("match", out var match) || !ruleKeys.TryGetValue("reply", out var replyNode))
                {
                    _diagnostics.Add(rule, "a rule needs 'match' (a regular expression) and 'reply'");
                    continue;
                }

                if (_nodes.Text(match.Value, "'match'") is not { } pattern || ReadReply(replyNode.Value) is not { } reply) continue;
                try
                {
                    rules.Add(new ScriptedRule(pattern, reply));
                }
                catch (ArgumentException ex)
                {
                    _diagnostics.Add(match.Value, $"'match' is not a valid regular expression: {ex.Message}");
                }
            }
        }

        if (replies.Count == 0 && rules.Count == 0) _diagnostics.Add(spec, $"scripted model '{name}' needs 'replies' or 'rules'");
        var delay = keys.TryGetValue("delay", out var d) ? _nodes.Duration(d.Value, "'delay'") ?? TimeSpan.Zero : TimeSpan.Zero;
        if (keys.TryGetValue("faults", out var f) && _nodes.Sequence(f.Value, "'faults'") is { } faultList)
        {
            foreach (var item in faultList)
            {
                if (_nodes.Mapping(item, "a fault") is not { } fault) continue;
                var faultKeys = _nodes.Keys(fault, "a fault", ["call", "status", "retryAfter"]);
                var call = faultKeys.TryGetValue("call", out var c) ? _nodes.Integer(c.Value, "'call'", 1) : null;
                if (call is null)
                {
                    if (!faultKeys.ContainsKey("call")) _diagnostics.Add(fault, "a fault needs 'call': the call number that fails");
                    continue;
                }

                int? status = null;
                if (faultKeys.TryGetValue("status", out var s) && s.Value is YamlScalarNode { Value: not "timeout" })
                {
                    status = _nodes.Integer(s.Value, "'status'", 400);
                    if (status is null) continue;
                }

                var retryAfter = faultKeys.TryGetValue("retryAfter", out var ra) ? _nodes.Duration(ra.Value, "'retryAfter'") : null;
                faults.Add(new ScriptedFault(call.Value, status, retryAfter));
            }
        }

        var resource = keys.TryGetValue("resource", out var res) ? ResourceReference(res.Value) : null;
        return new ModelDefinition(name, "scripted")
        {
            Scripted = replies.Count == 0 && rules.Count == 0 ? null : new ScriptedModelOptions { Replies = replies, Rules = rules, Delay = delay, Faults = faults, ModelId = name },
            Resource = resource,
        };
    }

    private ScriptedReply? ReadReply(YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode { Value: { } text }:
                return ScriptedReply.FromText(text);
            case YamlMappingNode mapping:
                var keys = _nodes.Keys(mapping, "a reply", ["text", "confidence", "tool", "args"]);
                if (keys.TryGetValue("tool", out var tool))
                {
                    var name = _nodes.Text(tool.Value, "'tool'");
                    var args = keys.TryGetValue("args", out var a) ? YamlNodes.ToJson(a.Value) as JsonObject : null;
                    return name is null ? null : ScriptedReply.ToolCall(name, args);
                }

                if (!keys.TryGetValue("text", out var textNode))
                {
                    _diagnostics.Add(mapping, "a reply map needs 'text' (with an optional 'confidence') or 'tool' (with 'args')");
                    return null;
                }

                var replyText = _nodes.Text(textNode.Value, "'text'");
                if (replyText is null) return null;
                if (!keys.TryGetValue("confidence", out var conf)) return ScriptedReply.FromText(replyText);
                var confidence = _nodes.Number(conf.Value, "'confidence'");
                if (confidence is < 0 or > 1) _diagnostics.Add(conf.Value, "'confidence' must be between 0 and 1");
                return confidence is >= 0 and <= 1 ? ScriptedReply.WithConfidence(replyText, confidence.Value) : null;
            default:
                _diagnostics.Add(node, "a reply is text, a map with 'text' and 'confidence', or a map with 'tool' and 'args'");
                return null;
        }
    }

    private ModelDefinition? ReadOpenAi(string name, YamlMappingNode spec)
    {
        var keys = _nodes.Keys(spec, $"model '{name}'", OpenAiKeys);
        if (!keys.TryGetValue("model", out var model) || _nodes.Text(model.Value, "'model'") is not { } modelName)
        {
            if (!keys.ContainsKey("model")) _diagnostics.Add(spec, $"model '{name}' needs 'model': the provider's model name");
            return null;
        }

        Uri? endpoint = null;
        if (keys.TryGetValue("endpoint", out var e) && Secrets.Resolve(_nodes, e.Value, "'endpoint'") is { } endpointText)
        {
            if (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint)) _diagnostics.Add(e.Value, "'endpoint' must be an absolute URL");
        }

        var apiKey = keys.TryGetValue("apiKey", out var k) ? Secrets.Resolve(_nodes, k.Value, "'apiKey'") : null;
        Dictionary<string, string>? headers = null;
        if (keys.TryGetValue("headers", out var h) && _nodes.Mapping(h.Value, "'headers'") is { } headerMap)
        {
            headers = [];
            foreach (var (headerName, headerValue) in headerMap.Children)
            {
                if (_nodes.Text(headerName, "a header's name") is { } hn && Secrets.Resolve(_nodes, headerValue, $"header '{hn}'") is { } hv) headers[hn] = hv;
            }
        }

        var timeout = keys.TryGetValue("timeout", out var t) ? _nodes.Duration(t.Value, "'timeout'") : null;
        return new ModelDefinition(name, "openai")
        {
            OpenAi = new OpenAiCompatibleOptions { Model = modelName, Endpoint = endpoint, ApiKey = apiKey, Headers = headers, Timeout = timeout ?? TimeSpan.FromSeconds(100) },
            Resource = keys.TryGetValue("resource", out var res) ? ResourceReference(res.Value) : null,
        };
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
                    agents[name] = new AgentDefinition(name, AgentKind.Workflow) { Workflow = ReadStep(workflow, $"agent '{name}'") };
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
                    }
                    else _diagnostics.Add(output.Value, "'output' is 'text' or a map with 'schema'");
                }

                agents[name] = new AgentDefinition(name, AgentKind.Model)
                {
                    Model = model,
                    Instructions = keys.TryGetValue("instructions", out var i) ? _nodes.Template(i.Value, "'instructions'") : null,
                    Tools = keys.TryGetValue("tools", out var t) && _nodes.Sequence(t.Value, "'tools'") is { } tools ? [.. tools.Select(x => _nodes.Text(x, "a tool name")).OfType<string>()] : [],
                    OutputSchema = schema,
                    MaxTurns = keys.TryGetValue("maxTurns", out var mt) ? _nodes.Integer(mt.Value, "'maxTurns'", 1) ?? 8 : 8,
                    Resource = keys.TryGetValue("resource", out var res) ? ResourceReference(res.Value) : null,
                };
            }
            else
            {
                _diagnostics.Add(spec, $"agent '{name}' needs 'model' (a model agent), 'template' (a template agent) or 'workflow' (a workflow agent)");
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
            foreach (var step in steps) if (ReadStep(step, $"subscription '{topic}'") is { } definition) result.Add((topic, definition));
        }

        return result;
    }

    private RunLimits ReadLimits(YamlNode node)
    {
        if (_nodes.Mapping(node, "'limits'") is not { } mapping) return RunLimits.Default;
        var keys = _nodes.Keys(mapping, "'limits'", LimitKeys);
        var limits = RunLimits.Default;
        if (keys.TryGetValue("maxSteps", out var ms) && _nodes.Integer(ms.Value, "'maxSteps'", 1) is { } maxSteps) limits = limits with { MaxSteps = maxSteps };
        if (keys.TryGetValue("timeout", out var t) && _nodes.Duration(t.Value, "'timeout'") is { } timeout) limits = limits with { Timeout = timeout };
        if (keys.TryGetValue("maxTokens", out var mt) && _nodes.Integer(mt.Value, "'maxTokens'", 1) is { } maxTokens) limits = limits with { MaxTokens = maxTokens };
        if (keys.TryGetValue("maxCost", out var mc) && _nodes.Number(mc.Value, "'maxCost'") is { } maxCost)
        {
            if (maxCost is > 0 and < 1e15) limits = limits with { MaxCost = (decimal)maxCost };
            else _diagnostics.Add(mc.Value, "'maxCost' must be a positive amount");
        }
        if (keys.TryGetValue("maxParallel", out var mp) && _nodes.Integer(mp.Value, "'maxParallel'", 1) is { } maxParallel) limits = limits with { MaxParallel = maxParallel };
        return limits;
    }

    private string? ResourceReference(YamlNode node)
    {
        var name = _nodes.Text(node, "'resource'");
        if (name is not null) _resourceReferences.Add((node, name));
        return name;
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null) exception = exception.InnerException;
        return exception;
    }
}
