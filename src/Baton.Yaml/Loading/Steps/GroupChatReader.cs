using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>`groupChat: { members, manager, maxTurns, until, onMemberError }`.</summary>
internal sealed class GroupChatReader : IStepKindReader
{
    private static readonly string[] Keys = ["members", "manager", "maxTurns", "until", "onMemberError"];
    private static readonly string[] MemberErrors = ["fail", "continue"];

    public string Keyword => "groupChat";

    public IReadOnlyCollection<string> SiblingKeys => [];

    public StepDefinition? Read(StepReader steps, YamlNode value, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> stepKeys)
    {
        var nodes = steps.Nodes;
        if (nodes.Mapping(value, "'groupChat'") is not { } mapping) return null;
        var keys = nodes.Keys(mapping, "'groupChat'", Keys);
        if (!keys.TryGetValue("members", out var membersNode) || nodes.Sequence(membersNode.Value, "'members'") is not { } list)
        {
            if (!keys.ContainsKey("members")) steps.Diagnostics.Add(mapping, "'groupChat' needs 'members': a list of agents");
            return null;
        }

        var members = new List<string>();
        foreach (var item in list)
        {
            if (nodes.Name(item, "a member") is not { } member) continue;
            if (members.Contains(member, StringComparer.OrdinalIgnoreCase)) steps.Diagnostics.Add(item, $"'{member}' is a member twice");
            steps.References.Agent(item, member);
            members.Add(member);
        }

        if (list.Children.Count == 0) steps.Diagnostics.Add(membersNode.Value, "'members' needs at least one agent");
        string? manager = null;
        if (keys.TryGetValue("manager", out var m) && nodes.Name(m.Value, "'manager'") is { } managerName && managerName != "roundRobin")
        {
            if (members.Contains(managerName, StringComparer.OrdinalIgnoreCase)) steps.Diagnostics.Add(m.Value, $"the manager '{managerName}' cannot also be a member");
            steps.References.Agent(m.Value, managerName);
            manager = managerName;
        }

        var maxTurns = keys.TryGetValue("maxTurns", out var mt) ? nodes.Integer(mt.Value, "'maxTurns'", 1) ?? 10 : 10;
        var until = keys.TryGetValue("until", out var u) ? nodes.Expression(u.Value, "'until'") : null;
        var onError = "fail";
        if (keys.TryGetValue("onMemberError", out var e) && nodes.Text(e.Value, "'onMemberError'") is { } rule)
        {
            if (MemberErrors.Contains(rule)) onError = rule;
            else steps.Diagnostics.Add(e.Value, $"unknown 'onMemberError' '{rule}'{DidYouMean.For(rule, MemberErrors)}: use fail or continue");
        }

        return new GroupChatDefinition(members, StepReader.Line(value), StepReader.Column(value))
        {
            Manager = manager,
            MaxTurns = maxTurns,
            Until = until,
            ContinueOnMemberError = onError == "continue",
        };
    }
}
