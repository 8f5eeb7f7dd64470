using Baton.Yaml.Expressions;
using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>`route: { classify, routes, default, validate, maxAttempts }`.</summary>
internal sealed class RouteReader : IStepKindReader
{
    private static readonly string[] Keys = ["classify", "routes", "default", "validate", "maxAttempts"];

    public string Keyword => "route";

    public IReadOnlyCollection<string> SiblingKeys => [];

    public StepDefinition? Read(StepReader steps, YamlNode value, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> stepKeys)
    {
        var nodes = steps.Nodes;
        if (nodes.Mapping(value, "'route'") is not { } mapping) return null;
        var keys = nodes.Keys(mapping, "'route'", Keys);
        if (!keys.TryGetValue("classify", out var classify) || !keys.TryGetValue("routes", out var routesNode))
        {
            steps.Diagnostics.Add(mapping, "'route' needs 'classify' (an agent or an expression) and 'routes'");
            return null;
        }

        var routes = new List<(string, IReadOnlyList<StepDefinition>)>();
        if (nodes.Mapping(routesNode.Value, "'routes'") is { } routeMap)
        {
            foreach (var (keyNode, stepsNode) in routeMap.Children)
            {
                if (nodes.Text(keyNode, "a route key") is not { } key) continue;
                var specialists = stepsNode is YamlSequenceNode list
                    ? list.Select(s => steps.ReadStep(s, $"route '{key}'")).OfType<StepDefinition>().ToArray()
                    : steps.ReadStep(stepsNode, $"route '{key}'") is { } single ? [single] : [];
                routes.Add((key, specialists));
            }
        }

        string? defaultKey = null;
        if (keys.TryGetValue("default", out var d) && nodes.Text(d.Value, "'default'") is { } dk)
        {
            if (routes.Any(r => string.Equals(r.Item1, dk, StringComparison.OrdinalIgnoreCase))) defaultKey = dk;
            else steps.Diagnostics.Add(d.Value, $"'default' names route '{dk}', which 'routes' does not have{DidYouMean.For(dk, routes.Select(r => r.Item1))}");
        }

        var (classifyAgent, classifyExpression) = AgentOrExpression(steps, classify.Value, "'classify'");
        var (validateAgent, validateExpression) = keys.TryGetValue("validate", out var v) ? AgentOrExpression(steps, v.Value, "'validate'") : (null, null);
        var maxAttempts = keys.TryGetValue("maxAttempts", out var ma) ? nodes.Integer(ma.Value, "'maxAttempts'", 1) ?? 2 : 2;
        if (classifyAgent is null && classifyExpression is null) return null;
        return new RouteDefinition(routes, StepReader.Line(value), StepReader.Column(value))
        {
            ClassifyAgent = classifyAgent,
            ClassifyExpression = classifyExpression,
            Default = defaultKey,
            ValidateAgent = validateAgent,
            ValidateExpression = validateExpression,
            MaxAttempts = maxAttempts,
        };
    }

    /// <summary>A known agent's name is that agent; anything else is an expression.</summary>
    private static (string? Agent, Expression? Expression) AgentOrExpression(StepReader steps, YamlNode node, string what)
    {
        if (node is YamlScalarNode { Value: { } text } && steps.AgentNames.Contains(text)) return (text, null);
        return (null, steps.Nodes.Expression(node, what));
    }
}
