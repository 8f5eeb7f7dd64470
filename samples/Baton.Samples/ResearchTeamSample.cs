using Baton.AI;

namespace Baton.Samples;

/// <summary>
/// A research team led by a planner (Magentic-style): the manager writes a plan, then each round names a member and its
/// instruction as JSON; each member's output goes back to it. Its third reply names someone who is not on the team, so
/// it is told so (with the members) and picks again; when the report is written it answers. Every turn is a step of
/// its own (team/1/manager, team/2/researcher...). The models are the built-in scripted one; any IChatClient (OpenAI,
/// Ollama...) works the same.
/// </summary>
public static class ResearchTeamSample
{
    public static async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        var manager = new ModelAgent("manager", Model("lead",
            """{"plan": "1. researcher finds sources 2. analyst weighs them 3. writer writes", "next": "researcher", "instruction": "Find recent sources on AI agents in production."}""",
            """{"next": "statistician", "instruction": "Count the deployments."}""",
            """{"next": "analyst", "instruction": "Weigh the sources: what do they agree on?"}""",
            """{"next": "writer", "instruction": "Write a two-sentence report from the analysis."}""",
            """{"next": "done", "answer": "Report: agents are moving into production; orchestration is the hard part."}"""),
            new ModelAgentOptions { Instructions = "You lead a research team. Plan, assign one step at a time, and answer when the report is written." });
        var researcher = new ModelAgent("researcher", Model("search", "Three sources: adoption is rising; orchestration is the hard part; costs fall."));
        var analyst = new ModelAgent("analyst", Model("analysis", "They agree that adoption is rising and that orchestration is the hard part."));
        var writer = new ModelAgent("writer", Model("writing", "Agents are moving into production. Orchestration is the hard part."));

        var team = new TeamBuilder("team")
            .Manager(manager)
            .Members(researcher, analyst, writer)
            .MaxRounds(8)
            .Build();
        await using var runtime = new BatonRuntime();
        var result = await RunPrinter.RunAsync(runtime, team, "What is the state of AI agents in production?", "research-team-1", cancellationToken);
        return result.IsSuccess ? 0 : 1;
    }

    /// <summary>A scripted model of its own: each model id keeps its own count of calls in the run.</summary>
    private static ScriptedChatClient Model(string id, params string[] replies) =>
        new(new ScriptedModelOptions { ModelId = id, Replies = [.. ScriptedReply.Texts(replies)] });
}
