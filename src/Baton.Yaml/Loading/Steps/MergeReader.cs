using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>The `merge` of a `parallel` or a `foreach`: list, object, concat, `{ vote: {...} }`, or an agent's name.</summary>
internal static class MergeReader
{
    private static readonly string[] Merges = ["list", "object", "concat"];

    public static MergeDefinition Read(StepReader steps, YamlNode node)
    {
        if (node is YamlMappingNode map)
        {
            var keys = steps.Nodes.Keys(map, "'merge'", ["vote"]);
            return keys.TryGetValue("vote", out var vote) ? new MergeDefinition("vote", VoteSettingsReader.Read(steps, vote.Value, requireVoters: false).Settings) : MergeDefinition.List;
        }

        var merge = steps.Nodes.Text(node, "'merge'");
        if (merge is null || Merges.Contains(merge)) return merge is null ? MergeDefinition.List : new MergeDefinition(merge);
        // Any other name is an agent that merges (it gets the list).
        steps.References.Agent(node, merge);
        return new MergeDefinition(merge);
    }
}
