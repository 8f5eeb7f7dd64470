using System.Text.Json.Nodes;
using Baton.AI;
using Baton.Yaml.Model;
using Microsoft.Extensions.AI;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Providers;

/// <summary>
/// <c>provider: scripted</c>: deterministic replies for tests and demos (<c>replies</c>, <c>rules</c>, <c>delay</c>,
/// <c>faults</c>), answered by Baton.AI's <see cref="ScriptedChatClient"/>.
/// </summary>
public sealed class ScriptedModelProvider : IModelProvider
{
    /// <inheritdoc/>
    public string Name => "scripted";

    /// <inheritdoc/>
    public string Description => "scripted";

    /// <inheritdoc/>
    public IReadOnlyCollection<string> Keys { get; } = ["replies", "rules", "delay", "faults"];

    /// <inheritdoc/>
    public object? Read(ModelSettingsReader settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var replies = new List<ScriptedReply>();
        var rules = new List<ScriptedRule>();
        var faults = new List<ScriptedFault>();
        if (settings["replies"] is { } r && settings.Sequence(r, "'replies'") is { } list)
        {
            foreach (var item in list) if (ReadReply(settings, item) is { } reply) replies.Add(reply);
        }

        if (settings["rules"] is { } ru && settings.Sequence(ru, "'rules'") is { } ruleList)
        {
            foreach (var item in ruleList) if (ReadRule(settings, item) is { } rule) rules.Add(rule);
        }

        if (replies.Count == 0 && rules.Count == 0) settings.Error(settings.Node, $"scripted model '{settings.Model}' needs 'replies' or 'rules'");
        var delay = settings["delay"] is { } d ? settings.Duration(d, "'delay'") ?? TimeSpan.Zero : TimeSpan.Zero;
        if (settings["faults"] is { } f && settings.Sequence(f, "'faults'") is { } faultList)
        {
            foreach (var item in faultList) if (ReadFault(settings, item) is { } fault) faults.Add(fault);
        }

        return replies.Count == 0 && rules.Count == 0 ? null : new ScriptedModelOptions { Replies = replies, Rules = rules, Delay = delay, Faults = faults, ModelId = settings.Model };
    }

    /// <inheritdoc/>
    public IChatClient CreateClient(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ScriptedChatClient(model.SettingsAs<ScriptedModelOptions>() ?? throw new ArgumentException($"model '{model.Name}' was not read by the scripted provider", nameof(model)));
    }

    private static ScriptedRule? ReadRule(ModelSettingsReader settings, YamlNode item)
    {
        if (settings.Mapping(item, "a rule") is not { } rule) return null;
        var ruleKeys = settings.Keys(rule, "a rule", ["match", "reply"]);
        if (!ruleKeys.TryGetValue("match", out var match) || !ruleKeys.TryGetValue("reply", out var replyNode))
        {
            settings.Error(rule, "a rule needs 'match' (a regular expression) and 'reply'");
            return null;
        }

        if (settings.Text(match.Value, "'match'") is not { } pattern || ReadReply(settings, replyNode.Value) is not { } reply) return null;
        try
        {
            return new ScriptedRule(pattern, reply);
        }
        catch (ArgumentException ex)
        {
            settings.Error(match.Value, $"'match' is not a valid regular expression: {ex.Message}");
            return null;
        }
    }

    private static ScriptedFault? ReadFault(ModelSettingsReader settings, YamlNode item)
    {
        if (settings.Mapping(item, "a fault") is not { } fault) return null;
        var faultKeys = settings.Keys(fault, "a fault", ["call", "status", "retryAfter"]);
        var call = faultKeys.TryGetValue("call", out var c) ? settings.Integer(c.Value, "'call'", 1) : null;
        if (call is null)
        {
            if (!faultKeys.ContainsKey("call")) settings.Error(fault, "a fault needs 'call': the call number that fails");
            return null;
        }

        int? status = null;
        if (faultKeys.TryGetValue("status", out var s) && s.Value is YamlScalarNode { Value: not "timeout" })
        {
            status = settings.Integer(s.Value, "'status'", 400);
            if (status is null) return null;
        }

        var retryAfter = faultKeys.TryGetValue("retryAfter", out var ra) ? settings.Duration(ra.Value, "'retryAfter'") : null;
        return new ScriptedFault(call.Value, status, retryAfter);
    }

    private static ScriptedReply? ReadReply(ModelSettingsReader settings, YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode { Value: { } text }:
                return ScriptedReply.FromText(text);
            case YamlMappingNode mapping:
                var keys = settings.Keys(mapping, "a reply", ["text", "confidence", "tool", "args"]);
                if (keys.TryGetValue("tool", out var tool))
                {
                    var name = settings.Text(tool.Value, "'tool'");
                    var args = keys.TryGetValue("args", out var a) ? ModelSettingsReader.ToJson(a.Value) as JsonObject : null;
                    return name is null ? null : ScriptedReply.ToolCall(name, args);
                }

                if (!keys.TryGetValue("text", out var textNode))
                {
                    settings.Error(mapping, "a reply map needs 'text' (with an optional 'confidence') or 'tool' (with 'args')");
                    return null;
                }

                var replyText = settings.Text(textNode.Value, "'text'");
                if (replyText is null) return null;
                if (!keys.TryGetValue("confidence", out var conf)) return ScriptedReply.FromText(replyText);
                var confidence = settings.Number(conf.Value, "'confidence'");
                if (confidence is < 0 or > 1) settings.Error(conf.Value, "'confidence' must be between 0 and 1");
                return confidence is >= 0 and <= 1 ? ScriptedReply.WithConfidence(replyText, confidence.Value) : null;
            default:
                settings.Error(node, "a reply is text, a map with 'text' and 'confidence', or a map with 'tool' and 'args'");
                return null;
        }
    }
}
