using Baton.AI;

namespace Baton.Samples;

/// <summary>
/// A group chat: a writer drafts, a critic reviews, and they take turns on one transcript until the critic approves.
/// Each model agent sees the conversation as chat history, each message under its speaker's name. On the scripted model
/// by default (set BATON_MODEL to use a real one); the same chat as a workflow file is samples/workflows/writer-critic.yaml.
/// </summary>
public static class WriterCriticSample
{
    public static async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        // Rules see the agent's instructions, a newline, and the last message the agent was sent.
        var studio = SampleModels.Create(() => new ScriptedChatClient(new ScriptedModelOptions
        {
            Rules =
            [
                new ScriptedRule(@"^You are the writer[\s\S]*Too vague", ScriptedReply.FromText("Rain taps the tin roofs at dusk; the street smells of wet stone.")),
                new ScriptedRule("^You are the writer", ScriptedReply.FromText("Rain falls on the city.")),
                new ScriptedRule(@"^You are the critic[\s\S]*wet stone", ScriptedReply.FromText("APPROVED: Rain taps the tin roofs at dusk; the street smells of wet stone.")),
                new ScriptedRule("^You are the critic", ScriptedReply.FromText("Too vague: show the rain with one concrete image.")),
            ],
        }));
        var writer = new ModelAgent("writer", studio, new ModelAgentOptions { Instructions = "You are the writer. Write two lines about {{ input }}; revise after each critique." });
        var critic = new ModelAgent("critic", studio, new ModelAgentOptions { Instructions = "You are the critic. Reply APPROVED: and the text when it is good, else say what to fix." });

        var chat = new GroupChatBuilder("writer-critic")
            .Members(writer, critic)
            .Until(progress => progress.Output.AsText().StartsWith("APPROVED", StringComparison.Ordinal))
            .MaxTurns(6)
            .Build();
        await using var runtime = new BatonRuntime();
        var result = await RunPrinter.RunAsync(runtime, chat, "rain in the city", "writer-critic-1", cancellationToken);
        return result.IsSuccess ? 0 : 1;
    }
}
