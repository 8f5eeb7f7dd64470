using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Baton.AgentFramework.Tests;

public sealed class AIAgentAsBatonAgentTests
{
    private static string[] UserTexts(IReadOnlyList<ChatMessage> call) =>
        [.. call.Where(m => m.Role == ChatRole.User).Select(m => m.Text)];

    [Fact]
    public async Task A_MAF_agent_answers_as_a_step_and_its_later_steps_continue_the_same_conversation()
    {
        var client = new RecordingChatClient();
        var maf = new ChatClientAgent(client, instructions: "Be brief.", name: "assistant").AsBatonAgent();
        var workflow = new WorkflowBuilder("chat")
            .AddStep(maf, "intro")
            .AddStep(Agent.Create("rephrase", _ => "What is my name?"))
            .AddStep(maf, "ask")
            .AddEdge("intro", "rephrase")
            .AddEdge("rephrase", "ask")
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "My name is Ada.");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("reply 2", result.Output!.AsText());
        Assert.Equal(["My name is Ada.", "What is my name?"], UserTexts(client.Calls[1]));
        Assert.Contains(client.Calls[1], m => m.Role == ChatRole.Assistant && m.Text == "reply 1");
        Assert.Equal(24, result.Usage.TotalTokens);
    }

    [Fact]
    public async Task A_resumed_run_continues_the_MAF_agents_conversation_from_the_journal()
    {
        var crashed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dies = true;
        var pause = Agent.Create("pause", async (input, context, ct) =>
        {
            if (dies)
            {
                dies = false;
                crashed.SetResult();
                await Task.Delay(Timeout.Infinite, ct); // the process "dies" here
            }

            return AgentResult.Success("What is my name?");
        });
        Workflow Build(IAgent maf) => new WorkflowBuilder("chat")
            .AddStep(maf, "intro").AddStep(pause).AddStep(maf, "ask")
            .AddEdge("intro", "pause").AddEdge("pause", "ask")
            .Build();
        var firstClient = new RecordingChatClient();
        var first = new BatonRuntime();
        var doomed = first.Start(Build(new ChatClientAgent(firstClient, name: "assistant").AsBatonAgent()), "My name is Ada.");
        await crashed.Task;
        // What a crash leaves: the run's start and the intro's completion (with the agent's session).
        var store = await JournalCopy.PrefixAsync(first.Store, doomed.RunId, 2);
        doomed.Cancel();
        await first.DisposeAsync();

        // A new process: a new MAF agent and chat client, nothing in memory.
        var secondClient = new RecordingChatClient();
        var workflow = Build(new ChatClientAgent(secondClient, name: "assistant").AsBatonAgent());
        await using var second = new BatonRuntime(new BatonOptions { Store = store });
        var resumed = await (await second.ResumeAsync(doomed.RunId, workflow)).Completion;

        Assert.True(resumed.IsSuccess, resumed.Error?.Message);
        Assert.Single(firstClient.Calls);
        var call = Assert.Single(secondClient.Calls);
        Assert.Equal(["My name is Ada.", "What is my name?"], UserTexts(call));
        Assert.Contains(call, m => m.Role == ChatRole.Assistant && m.Text == "reply 1");
    }

    [Fact]
    public async Task A_MAF_agent_that_throws_fails_its_step_with_the_error()
    {
        var broken = new ChatClientAgent(new ThrowingChatClient(), name: "broken").AsBatonAgent();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(SequentialBuilder.Create("one", broken), "hi");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("the model is down", result.Error!.Message, StringComparison.Ordinal);
    }

    private sealed class ThrowingChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("the model is down");

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("the model is down");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
