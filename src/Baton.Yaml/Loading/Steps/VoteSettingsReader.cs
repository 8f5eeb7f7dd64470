using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>The settings of a vote (<c>strategy</c>, <c>judge</c>, <c>onTie</c>), for a `vote` step or a `merge: { vote }`.</summary>
internal static class VoteSettingsReader
{
    private static readonly string[] Keys = ["voters", "strategy", "judge", "onTie"];
    private static readonly string[] Strategies = ["unanimous", "majority", "weighted", "judge"];
    private static readonly string[] TieRules = ["first", "judge", "human"];

    public static (VoteSettings? Settings, List<(string, StepDefinition)> Voters) Read(StepReader steps, YamlNode value, bool requireVoters)
    {
        var nodes = steps.Nodes;
        var voters = new List<(string, StepDefinition)>();
        if (nodes.Mapping(value, "'vote'") is not { } mapping) return (null, voters);
        var keys = nodes.Keys(mapping, "'vote'", requireVoters ? Keys : ["strategy", "judge", "onTie"]);
        if (requireVoters)
        {
            if (!keys.TryGetValue("voters", out var v) || nodes.Sequence(v.Value, "'voters'") is not { } list)
            {
                if (!keys.ContainsKey("voters")) steps.Diagnostics.Add(mapping, "'vote' needs 'voters': a list of agents");
                return (null, voters);
            }

            // An empty list loaded, then failed when the file was built (found by the fuzzer): refused here, at the list.
            if (list.Children.Count == 0) steps.Diagnostics.Add(list, "'voters' needs at least one agent");
            foreach (var item in list) if (steps.ReadStep(item, "'voters'") is { } voter) voters.Add((voter.Id, voter));
        }

        var strategy = "majority";
        if (keys.TryGetValue("strategy", out var s) && nodes.Text(s.Value, "'strategy'") is { } st)
        {
            if (Strategies.Contains(st)) strategy = st;
            else steps.Diagnostics.Add(s.Value, $"unknown strategy '{st}'{DidYouMean.For(st, Strategies)}: use {string.Join(", ", Strategies)}");
        }

        string? judge = null;
        if (keys.TryGetValue("judge", out var j) && nodes.Name(j.Value, "'judge'") is { } judgeName)
        {
            judge = judgeName;
            steps.References.Agent(j.Value, judgeName);
        }

        var onTie = "first";
        if (keys.TryGetValue("onTie", out var t) && nodes.Text(t.Value, "'onTie'") is { } tie)
        {
            if (TieRules.Contains(tie)) onTie = tie;
            else steps.Diagnostics.Add(t.Value, $"unknown tie rule '{tie}'{DidYouMean.For(tie, TieRules)}: use {string.Join(", ", TieRules)}");
        }

        if ((strategy == "judge" || onTie == "judge") && judge is null) steps.Diagnostics.Add(mapping, "a vote decided by a judge needs 'judge': the judging agent");
        return (new VoteSettings(strategy, judge, onTie), voters);
    }
}
