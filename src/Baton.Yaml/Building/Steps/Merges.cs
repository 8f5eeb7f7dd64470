using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Building.Steps;

/// <summary>The engine's <see cref="Merge"/> for a file's merge (a vote merge is a step of its own, made by <see cref="VoteKindBuilder"/>).</summary>
internal static class Merges
{
    public static Merge For(WorkflowDocumentBuilder builder, MergeDefinition merge) => merge switch
    {
        { Name: "list" } => Merge.List,
        { Name: "object" } => Merge.ByName,
        { Name: "concat" } => Merge.Concat,
        { Vote: not null } => throw new InvalidOperationException("a vote merge is built as a vote step"),
        _ => Merge.WithAgent(builder.Agents.Get(merge.Name)),
    };
}
