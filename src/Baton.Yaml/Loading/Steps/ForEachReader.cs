using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>`foreach: { items, do, merge, maxParallel }`.</summary>
internal sealed class ForEachReader : IStepKindReader
{
    private static readonly string[] Keys = ["items", "do", "merge", "maxParallel"];

    public string Keyword => "foreach";

    public IReadOnlyCollection<string> SiblingKeys => [];

    public StepDefinition? Read(StepReader steps, YamlNode value, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> stepKeys)
    {
        var nodes = steps.Nodes;
        if (nodes.Mapping(value, "'foreach'") is not { } mapping) return null;
        var keys = nodes.Keys(mapping, "'foreach'", Keys);
        if (!keys.TryGetValue("items", out var items) || !keys.TryGetValue("do", out var @do))
        {
            steps.Diagnostics.Add(mapping, "'foreach' needs 'items' (an expression giving an array) and 'do' (the step per item)");
            return null;
        }

        var step = steps.ReadStep(@do.Value, "'do'");
        var merge = keys.TryGetValue("merge", out var m) ? MergeReader.Read(steps, m.Value) : MergeDefinition.List;
        if (merge.Vote is not null)
        {
            // The items are not named voters: a vote over them would have no way to say who voted what.
            steps.Diagnostics.Add(m.Value, "'foreach' merges with list, object, concat or an agent, not a vote (use a 'vote' step of named voters)");
            merge = MergeDefinition.List;
        }

        var expression = nodes.Expression(items.Value, "'items'");
        var maxParallel = keys.TryGetValue("maxParallel", out var mp) ? nodes.Integer(mp.Value, "'maxParallel'", 1) : null;
        return expression is null || step is null ? null : new ForEachDefinition(expression, step, merge, maxParallel, StepReader.Line(value), StepReader.Column(value));
    }
}
