using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>`vote` (and `parallel` with `merge: { vote }`): the engine's vote step.</summary>
internal sealed class VoteKindBuilder : StepKindBuilder<VoteDefinition>
{
    protected override Step Build(WorkflowDocumentBuilder builder, VoteDefinition step) => Build(builder, step.Id, step.Voters, step.Settings);

    public static Step Build(WorkflowDocumentBuilder builder, string id, IReadOnlyList<(string Name, StepDefinition Step)> voters, VoteSettings settings)
    {
        var vote = new VoteBuilder(id);
        foreach (var (name, voter) in voters)
        {
            if (builder.IsPlainAgent(voter, out var agent)) vote.Voter(agent, name);
            else vote.Voter(name, builder.Scope(name, [voter]));
        }

        vote.Strategy(settings.Strategy switch
        {
            "unanimous" => VoteStrategy.Unanimous,
            "weighted" => VoteStrategy.Weighted,
            "judge" => VoteStrategy.Judge,
            _ => VoteStrategy.Majority,
        });
        if (settings.Judge is { } judge) vote.Judge(builder.Agents.Get(judge));
        vote.OnTie(settings.OnTie switch
        {
            "judge" => VoteTieRule.Judge,
            "human" => VoteTieRule.Human,
            _ => VoteTieRule.First,
        });
        return vote.BuildStep(id);
    }
}
