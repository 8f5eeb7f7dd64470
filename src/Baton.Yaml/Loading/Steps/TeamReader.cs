using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>`team: { manager, members, maxRounds }`.</summary>
internal sealed class TeamReader : IStepKindReader
{
    private static readonly string[] Keys = ["manager", "members", "maxRounds"];

    public string Keyword => "team";

    public IReadOnlyCollection<string> SiblingKeys => [];

    public StepDefinition? Read(StepReader steps, YamlNode value, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> stepKeys)
    {
        var nodes = steps.Nodes;
        if (nodes.Mapping(value, "'team'") is not { } mapping) return null;
        var keys = nodes.Keys(mapping, "'team'", Keys);
        if (!keys.TryGetValue("manager", out var managerNode) || !keys.TryGetValue("members", out var membersNode))
        {
            steps.Diagnostics.Add(mapping, "'team' needs 'manager' (a model agent) and 'members' (a list of agents)");
            return null;
        }

        var manager = nodes.Name(managerNode.Value, "'manager'");
        if (manager is not null) steps.References.Agent(managerNode.Value, manager);
        var members = new List<string>();
        if (nodes.Sequence(membersNode.Value, "'members'") is { } list)
        {
            if (list.Children.Count == 0) steps.Diagnostics.Add(list, "'members' lists no agent");
            foreach (var item in list)
            {
                if (nodes.Name(item, "a member") is not { } member) continue;
                if (string.Equals(member, TeamStep.Done, StringComparison.OrdinalIgnoreCase) || string.Equals(member, TeamStep.TeamSpeaker, StringComparison.OrdinalIgnoreCase))
                {
                    steps.Diagnostics.Add(item, $"a member may not be called '{member}': the manager answers \"{TeamStep.Done}\" to finish, and the team's notes come from \"{TeamStep.TeamSpeaker}\"");
                }
                else if (member == manager) steps.Diagnostics.Add(item, $"'{member}' is the team's manager; it cannot be a member too");
                else if (members.Contains(member)) steps.Diagnostics.Add(item, $"member '{member}' is listed twice");
                else
                {
                    steps.References.Agent(item, member);
                    members.Add(member);
                }
            }
        }

        var maxRounds = keys.TryGetValue("maxRounds", out var mr) ? nodes.Integer(mr.Value, "'maxRounds'", 1) ?? 10 : 10;
        if (manager is null || members.Count == 0) return null;
        return new TeamDefinition(manager, members, StepReader.Line(value), StepReader.Column(value)) { MaxRounds = maxRounds };
    }
}
