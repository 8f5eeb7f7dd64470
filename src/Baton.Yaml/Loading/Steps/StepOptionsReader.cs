using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>The options any step may have beside its pattern key: <c>id</c>, <c>input</c>, <c>as</c>, <c>retry</c>, <c>timeout</c>, <c>onError</c>, <c>resource</c>.</summary>
internal static class StepOptionsReader
{
    public static IReadOnlyCollection<string> Keys { get; } = ["id", "input", "as", "retry", "timeout", "onError", "resource"];

    /// <summary>The step with the options its keys give (the id is given by <see cref="StepReader"/>).</summary>
    public static StepDefinition Apply(StepReader steps, StepDefinition step, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> keys)
    {
        var nodes = steps.Nodes;
        return step with
        {
            InputTemplate = keys.TryGetValue("input", out var input) ? nodes.Template(input.Value, "'input'") : null,
            As = keys.TryGetValue("as", out var @as) ? nodes.Name(@as.Value, "'as'") : null,
            Retry = keys.TryGetValue("retry", out var retry) ? ReadRetry(nodes, retry.Value) : null,
            Timeout = keys.TryGetValue("timeout", out var timeout) ? nodes.Duration(timeout.Value, "'timeout'") : null,
            OnError = keys.TryGetValue("onError", out var onError) ? steps.ReadStep(onError.Value, "'onError'") : null,
            Resource = keys.TryGetValue("resource", out var resource) ? steps.References.Resource(nodes, resource.Value) : null,
        };
    }

    private static RetryPolicy? ReadRetry(YamlNodes nodes, YamlNode node)
    {
        if (nodes.Mapping(node, "'retry'") is not { } mapping) return null;
        var keys = nodes.Keys(mapping, "'retry'", ["maxAttempts", "backoff"]);
        var policy = new RetryPolicy();
        if (keys.TryGetValue("maxAttempts", out var ma) && nodes.Integer(ma.Value, "'maxAttempts'", 1) is { } attempts) policy = policy with { MaxAttempts = attempts };
        if (keys.TryGetValue("backoff", out var b) && nodes.Duration(b.Value, "'backoff'") is { } backoff) policy = policy with { InitialDelay = backoff };
        return policy;
    }
}
