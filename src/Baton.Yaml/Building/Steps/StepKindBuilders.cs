using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>The builder of each step kind, by definition type: adding a kind is adding a builder here.</summary>
internal static class StepKindBuilders
{
    private static readonly Dictionary<Type, IStepKindBuilder> ByDefinition = new IStepKindBuilder[]
    {
        new AgentKindBuilder(),
        new SequentialKindBuilder(),
        new ParallelKindBuilder(),
        new ForEachKindBuilder(),
        new RouteKindBuilder(),
        new StatesKindBuilder(),
        new VoteKindBuilder(),
        new AskKindBuilder(),
        new EmitKindBuilder(),
        new SetKindBuilder(),
        new GraphKindBuilder(),
        new GroupChatKindBuilder(),
        new HandoffKindBuilder(),
        new TeamKindBuilder(),
        new PlanKindBuilder(),
    }.ToDictionary(b => b.Definition);

    public static IStepKindBuilder For(StepDefinition step) =>
        ByDefinition.TryGetValue(step.GetType(), out var builder) ? builder : throw new InvalidOperationException($"no builder for step kind {step.GetType().Name}");
}
