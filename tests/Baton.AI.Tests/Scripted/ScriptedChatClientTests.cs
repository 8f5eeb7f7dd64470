using System.Text.Json.Nodes;
using Baton.AI;
using Microsoft.Extensions.AI;

namespace Baton.AI.Tests.Scripted;

public sealed class ScriptedChatClientTests
{
    private static ChatOptions Run(string runId) => new() { AdditionalProperties = new() { [ScriptedChatClient.RunIdProperty] = runId } };

    private static async Task<string> AskAsync(IChatClient client, string input, ChatOptions? options = null, string system = "You help.") =>
        (await client.GetResponseAsync([new ChatMessage(ChatRole.System, system), new ChatMessage(ChatRole.User, input)], options)).Text;

    [Fact]
    public async Task Replies_come_in_order_and_the_last_repeats()
    {
        var client = new ScriptedChatClient("one", "two");
        Assert.Equal(["one", "two", "two"], [await AskAsync(client, "a"), await AskAsync(client, "b"), await AskAsync(client, "c")]);
    }

    [Fact]
    public async Task The_first_matching_rule_wins_against_instructions_and_input()
    {
        var client = new ScriptedChatClient(new ScriptedModelOptions
        {
            Rules =
            [
                new ScriptedRule("(?i)summari[sz]e", ScriptedReply.FromText("summary")),
                new ScriptedRule("refund", ScriptedReply.FromText("billing")),
                new ScriptedRule("refund|crash", ScriptedReply.FromText("never: an earlier rule matched")),
            ],
            Replies = [ScriptedReply.FromText("fallback")],
        });

        Assert.Equal("summary", await AskAsync(client, "the text", system: "Summarize it."));
        Assert.Equal("billing", await AskAsync(client, "I want a refund"));
        Assert.Equal("fallback", await AskAsync(client, "hello"));
        var strict = new ScriptedChatClient(new ScriptedModelOptions { Rules = [new ScriptedRule("x", ScriptedReply.FromText("x"))] });
        var none = await Assert.ThrowsAsync<AgentException>(() => AskAsync(strict, "nothing"));
        Assert.Equal("no_rule", none.Code);
        Assert.ThrowsAny<ArgumentException>(() => new ScriptedRule("([", ScriptedReply.FromText("bad")));
    }

    [Fact]
    public async Task Confidence_and_tool_calls_are_surfaced_as_a_provider_would()
    {
        var client = new ScriptedChatClient(new ScriptedModelOptions
        {
            Replies = [ScriptedReply.ToolCall("search", new JsonObject { ["q"] = "agents" }), ScriptedReply.WithConfidence("""{"answer":"yes"}""", 0.6)],
        });

        var call = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "find")]);
        var function = Assert.IsType<FunctionCallContent>(Assert.Single(call.Messages[0].Contents));
        Assert.Equal("search", function.Name);
        Assert.Equal("agents", function.Arguments!["q"]!.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, call.FinishReason);

        var answer = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "find")]);
        Assert.Equal("""{"answer":"yes"}""", answer.Text);
        Assert.Equal(0.6, answer.AdditionalProperties![ScriptedChatClient.ConfidenceProperty]);
        Assert.True(answer.Usage!.InputTokenCount > 0 && answer.Usage.OutputTokenCount > 0);
    }

    [Fact]
    public async Task Faults_fail_the_right_call_as_a_provider_would_and_use_up_no_reply()
    {
        var client = new ScriptedChatClient(new ScriptedModelOptions
        {
            Replies = [.. ScriptedReply.Texts("first", "second")],
            Faults = [new ScriptedFault(2, 429, TimeSpan.FromSeconds(1)), new ScriptedFault(3, 500), ScriptedFault.Timeout(4)],
        });

        Assert.Equal("first", await AskAsync(client, "x"));
        var limited = await Assert.ThrowsAsync<AgentException>(() => AskAsync(client, "x"));
        var broken = await Assert.ThrowsAsync<AgentException>(() => AskAsync(client, "x"));
        var slow = await Assert.ThrowsAsync<AgentException>(() => AskAsync(client, "x"));
        Assert.Equal("second", await AskAsync(client, "x"));

        Assert.Equal((ErrorKind.Transient, "rate_limited", TimeSpan.FromSeconds(1)), (limited.Kind, limited.Code, limited.RetryAfter));
        Assert.Equal((ErrorKind.Transient, "provider_error"), (broken.Kind, broken.Code));
        Assert.Equal((ErrorKind.Transient, "timeout"), (slow.Kind, slow.Code));
    }

    [Fact]
    public async Task Runs_count_their_calls_separately_and_a_resumed_run_continues_its_count()
    {
        var client = new ScriptedChatClient("r1", "r2", "r3");
        Assert.Equal("r1", await AskAsync(client, "x", Run("a")));
        Assert.Equal("r1", await AskAsync(client, "x", Run("b")));
        Assert.Equal("r2", await AskAsync(client, "x", Run("a")));
        Assert.Equal(2, client.CallsMade("a"));

        // Another process resumes run "b" after its journal recorded two calls.
        var resumed = new ScriptedChatClient("r1", "r2", "r3");
        resumed.RestoreCallCount("b", 2);
        resumed.RestoreCallCount("b", 1); // never goes back
        Assert.Equal("r3", await AskAsync(resumed, "x", Run("b")));
        client.ForgetRun("a");
        Assert.Equal(0, client.CallsMade("a"));
    }

    [Fact]
    public async Task Memory_is_bounded_to_the_most_recent_runs()
    {
        var client = new ScriptedChatClient(new ScriptedModelOptions { Replies = [.. ScriptedReply.Texts("a", "b")], MaxTrackedRuns = 2 });
        await AskAsync(client, "x", Run("1"));
        await AskAsync(client, "x", Run("2"));
        await AskAsync(client, "x", Run("3"));
        Assert.Equal(0, client.CallsMade("1"));
        Assert.Equal(1, client.CallsMade("3"));
    }

    [Fact]
    public async Task The_delay_runs_on_the_given_clock_and_honours_cancellation()
    {
        var time = new FakeTime();
        var client = new ScriptedChatClient(new ScriptedModelOptions { Replies = [ScriptedReply.FromText("late")], Delay = TimeSpan.FromSeconds(30), TimeProvider = time });

        var pending = AskAsync(client, "x");
        await time.WaitForPendingTimersAsync(1).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("late", await pending.WaitAsync(TimeSpan.FromSeconds(10)));

        using var cts = new CancellationTokenSource();
        var cancelled = client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")], cancellationToken: cts.Token);
        await time.WaitForPendingTimersAsync(1).WaitAsync(TimeSpan.FromSeconds(10));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Streaming_yields_the_reply_in_chunks_with_usage_at_the_end()
    {
        var client = new ScriptedChatClient("adoption of agents is rising");
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")])) updates.Add(update);

        Assert.True(updates.Count > 3);
        Assert.Equal("adoption of agents is rising", string.Concat(updates.Select(u => u.Text)));
        var response = updates.ToChatResponse();
        Assert.Equal("adoption of agents is rising", response.Text);
        Assert.NotNull(response.Usage);
    }
}
