using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>`parallel: { branches, merge, maxParallel }`.</summary>
internal sealed class ParallelReader : IStepKindReader
{
    private static readonly string[] Keys = ["branches", "merge", "maxParallel"];

    public string Keyword => "parallel";

    public IReadOnlyCollection<string> SiblingKeys => [];

    public StepDefinition? Read(StepReader steps, YamlNode value, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> stepKeys)
    {
        var nodes = steps.Nodes;
        if (nodes.Mapping(value, "'parallel'") is not { } mapping) return null;
        var keys = nodes.Keys(mapping, "'parallel'", Keys);
        if (!keys.TryGetValue("branches", out var branchesNode))
        {
            steps.Diagnostics.Add(mapping, "'parallel' needs 'branches': a list of steps or a map of name: step");
            return null;
        }

        var branches = new List<(string, StepDefinition)>();
        if (branchesNode.Value is YamlSequenceNode list)
        {
            foreach (var item in list) if (steps.ReadStep(item, "'branches'") is { } branch) branches.Add((branch.Id, branch));
        }
        else if (branchesNode.Value is YamlMappingNode map)
        {
            foreach (var (nameNode, stepNode) in map.Children)
            {
                if (nodes.Name(nameNode, "a branch's name") is { } name && steps.ReadStep(stepNode, $"branch '{name}'") is { } branch) branches.Add((name, branch));
            }
        }
        else
        {
            steps.Diagnostics.Add(branchesNode.Value, "'branches' is a list of steps or a map of name: step");
        }

        if (branches.Count == 0) steps.Diagnostics.Add(branchesNode.Value, "'parallel' needs at least one branch");
        var merge = keys.TryGetValue("merge", out var m) ? MergeReader.Read(steps, m.Value) : MergeDefinition.List;
        var maxParallel = keys.TryGetValue("maxParallel", out var mp) ? nodes.Integer(mp.Value, "'maxParallel'", 1) : null;
        return new ParallelDefinition(branches, merge, maxParallel, StepReader.Line(value), StepReader.Column(value));
    }
}
