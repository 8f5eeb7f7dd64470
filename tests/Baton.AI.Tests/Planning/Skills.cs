using Baton.AI.Planning;
using System.ComponentModel;

namespace Baton.AI.Tests.Planning;

/// <summary>A small registry the planner tests share: a search function, a typed summarizer agent, a hand-schema'd agent.</summary>
internal static class Skills
{
    public static SkillRegistry Create() => new SkillRegistry()
        .Add(Search, "search", "Searches the web and returns the top result's title.")
        .Add<SummarizeArgs>("summarize", "Summarizes a text in at most 'words' words.",
            Agent.Create("summarize", input =>
            {
                var args = input.Get<SummarizeArgs>()!;
                return Payload.FromText($"summary({args.Text},{args.Words})");
            }))
        .Add("join", "Joins two texts.", Agent.Create("join", input =>
            {
                var args = input.AsJson();
                return Payload.FromText($"{args.GetProperty("left")}+{args.GetProperty("right")}");
            }),
            """{"type":"object","properties":{"left":{"type":"string"},"right":{"type":"string"}},"required":["left","right"],"additionalProperties":false}""");

    [Description("search")]
    private static string Search(string query, int count = 1) => $"result({query},{count})";

    public sealed record SummarizeArgs(string Text, int Words);
}
