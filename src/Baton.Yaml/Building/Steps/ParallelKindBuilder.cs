using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>`parallel`: the engine's parallel step over one scope per branch (with `merge: { vote }`, a vote of the branches).</summary>
internal sealed class ParallelKindBuilder : StepKindBuilder<ParallelDefinition>
{
    protected override Step Build(WorkflowDocumentBuilder builder, ParallelDefinition step)
    {
        if (step.Merge is { Name: "vote", Vote: { } vote }) return VoteKindBuilder.Build(builder, step.Id, step.Branches, vote);
        var parallel = new ParallelBuilder(step.Id);
        foreach (var (name, branch) in step.Branches) parallel.Branch(name, builder.Scope(name, [branch]));
        parallel.MergeWith(Merges.For(builder, step.Merge));
        if (step.MaxParallel is { } max) parallel.MaxParallel(max);
        return parallel.BuildStep(step.Id);
    }
}
