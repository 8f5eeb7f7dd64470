using System.Text.Json.Nodes;
using Baton.AI.Tests.Models;
using Baton.Storage.Sqlite;
using Microsoft.Extensions.AI;

namespace Baton.AI.Tests.Conversations;

public sealed class ModelConversationTests
{
    private static ScriptedChatClient Scripted(params ScriptedReply[] replies) => new(new ScriptedModelOptions { Replies = replies });

    private static ScriptedReply TransferTo(string target, string reason) => ScriptedReply.ToolCall("transfer_to_" + target, new JsonObject { ["reason"] = reason });

    [Fact]
    public async Task A_model_member_sees_the_transcript_as_chat_history_under_each_speakers_name()
    {
        var client = new RecordingChatClient(Scripted([.. ScriptedReply.Texts("draft 1", "too long", "draft 2")]));
        var writer = new ModelAgent("writer", client, new ModelAgentOptions { Instructions = "Write about {{ input.topic }}." });
        var critic = new ModelAgent("critic", client, new ModelAgentOptions { Instructions = "Criticise." });
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new GroupChatBuilder("chat").Members(writer, critic).MaxTurns(3).Build(), Payload.From(new { topic = "rain" }));

        Assert.Equal("draft 2", result.Output!.AsText());
        var third = client.Requests[2];
        Assert.Equal((ChatRole.System, "Write about rain."), (third[0].Role, third[0].Text));
        Assert.Equal((ChatRole.User, """{"topic":"rain"}"""), (third[1].Role, third[1].Text));
        Assert.Equal((ChatRole.Assistant, "writer", "draft 1"), (third[2].Role, third[2].AuthorName, third[2].Text));
        Assert.Equal((ChatRole.User, "critic", "too long"), (third[3].Role, third[3].AuthorName, third[3].Text));
        Assert.Equal(4, third.Count);
    }

    [Fact]
    public async Task A_model_manager_and_member_of_a_team_see_the_conversation_as_chat_history()
    {
        var lead = new RecordingChatClient(Scripted(
            ScriptedReply.FromText("""{"next": "researcher", "instruction": "Find sources."}"""),
            ScriptedReply.FromText("""{"next": "done", "answer": "Agents are rising."}""")));
        var crew = new RecordingChatClient(Scripted(ScriptedReply.FromText("Sources: adoption is rising.")));
        var manager = new ModelAgent("manager", lead, new ModelAgentOptions { Instructions = "Lead the team." });
        var researcher = new ModelAgent("researcher", crew, new ModelAgentOptions { Instructions = "Research." });
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new TeamBuilder("team").Manager(manager).Members(researcher).Build(), "AI agents");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("Agents are rising.", result.Output!.AsText());
        // The member: its instructions, the task, the manager's order under the manager's name, then the instruction.
        var member = crew.Requests[0];
        Assert.Equal((ChatRole.System, "Research."), (member[0].Role, member[0].Text));
        Assert.Equal((ChatRole.User, "AI agents"), (member[1].Role, member[1].Text));
        Assert.Equal((ChatRole.User, "manager", "To researcher: Find sources."), (member[2].Role, member[2].AuthorName, member[2].Text));
        Assert.Equal((ChatRole.User, "Find sources."), (member[^1].Role, member[^1].Text));
        // The manager's second turn: the team's briefing, its own reply as assistant, the member's answer under its name,
        // and the round's state with the reply format last.
        var second = lead.Requests[1];
        Assert.Equal((ChatRole.User, "team"), (second[2].Role, second[2].AuthorName));
        Assert.Contains(second, m => m.Role == ChatRole.Assistant && m.AuthorName == "manager" && m.Text.Contains("Find sources.", StringComparison.Ordinal));
        Assert.Contains(second, m => m.Role == ChatRole.User && m.AuthorName == "researcher" && m.Text == "Sources: adoption is rising.");
        Assert.StartsWith("Round 2 of 10. Members: researcher.", second[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scripted_tool_call_reply_transfers_the_conversation_with_its_reason()
    {
        var client = new RecordingChatClient(Scripted(TransferTo("billing", "wants a refund"), ScriptedReply.FromText("Refund issued.")));
        var triage = new ModelAgent("triage", client, new ModelAgentOptions { Instructions = "Route the customer." });
        var billing = new ModelAgent("billing", client, new ModelAgentOptions { Instructions = "Handle billing." });
        var tech = new ModelAgent("tech", client);
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new HandoffBuilder("desk").Agent(triage, "billing", "tech").Agent(billing, "triage").Agent(tech, "triage").Build(), "I was charged twice");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("Refund issued.", result.Output!.AsText());
        var billingSaw = client.Requests[1];
        Assert.Equal("Handle billing.", billingSaw[0].Text);
        Assert.Equal("I was charged twice", billingSaw[1].Text);
        Assert.Equal(("triage", "[transferred to billing: wants a refund]"), (billingSaw[2].AuthorName, billingSaw[2].Text));
    }

    [Fact]
    public async Task The_agent_in_charge_is_offered_a_transfer_tool_per_target_beside_its_own()
    {
        var offered = new List<string>();
        var client = new OptionsSpy(Scripted(ScriptedReply.FromText("answered")), offered);
        var lookup = AIFunctionFactory.Create((string id) => "found", "lookup", "Looks an order up.");
        var triage = new ModelAgent("triage", client, new ModelAgentOptions { Tools = [lookup] });
        await using var runtime = new BatonRuntime();

        await runtime.RunAsync(new HandoffBuilder("desk").Agent(triage, "billing", "tech").Agent(new ModelAgent("billing", client)).Agent(new ModelAgent("tech", client)).Build(), "hi");

        Assert.Equal(["lookup", "transfer_to_billing", "transfer_to_tech"], offered);
    }

    [Fact]
    public async Task A_transfer_to_an_agent_not_in_to_is_refused_and_the_model_told_whom_it_may_pick()
    {
        var client = new RecordingChatClient(Scripted(TransferTo("sales", "upsell"), TransferTo("billing", "refund"), ScriptedReply.FromText("done")));
        await using var runtime = new BatonRuntime();
        var workflow = new HandoffBuilder("desk")
            .Agent(new ModelAgent("triage", client), "billing")
            .Agent(new ModelAgent("billing", client))
            .Agent(new ModelAgent("sales", client))
            .Build();

        var result = await runtime.RunAsync(workflow, "help");

        Assert.Equal("done", result.Output!.AsText());
        Assert.Equal(["Error: you cannot transfer to 'sales'; you may transfer to: billing"], RecordingChatClient.ToolResults(client.Requests[1]));
        Assert.Equal(3, client.Requests.Count);
    }

    [Fact]
    public async Task Model_agents_handing_back_and_forth_hit_the_handoff_limit()
    {
        var client = new ScriptedChatClient(new ScriptedModelOptions { Rules = [new ScriptedRule("^You are a", TransferTo("b", "yours")), new ScriptedRule("^You are b", TransferTo("a", "yours"))] });
        var a = new ModelAgent("a", client, new ModelAgentOptions { Instructions = "You are a." });
        var b = new ModelAgent("b", client, new ModelAgentOptions { Instructions = "You are b." });
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(new HandoffBuilder("desk").Agent(a, "b").Agent(b, "a").MaxHandoffs(2).Build(), "help");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("handoff_limit", result.Error!.Code);
        Assert.Contains("(a → b → a → b)", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_needing_approval_inside_a_handoff_suspends_and_runs_once_when_approved_by_a_new_runtime()
    {
        var dir = Directory.CreateTempSubdirectory("baton-handoff-");
        var refunds = 0;
        Workflow Desk()
        {
            // Each runtime gets its own model and agents, as a new process would.
            var client = Scripted(TransferTo("billing", "refund"), ScriptedReply.ToolCall("refund", new JsonObject { ["amount"] = 20 }), ScriptedReply.FromText("Refunded 20."));
            var refund = new ApprovalRequiredAIFunction(new CountingFunction(AIFunctionFactory.Create((int amount) => $"refunded {amount}", "refund", "Refunds the customer."), () => Interlocked.Increment(ref refunds)));
            return new HandoffBuilder("desk")
                .Agent(new ModelAgent("triage", client), "billing")
                .Agent(new ModelAgent("billing", client, new ModelAgentOptions { Tools = [refund] }))
                .Build();
        }

        try
        {
            var options = () => new SqliteRunStoreOptions { Path = Path.Combine(dir.FullName, "baton.db") };
            string runId;
            await using (var store = new SqliteRunStore(options()))
            await using (var first = new BatonRuntime(new BatonOptions { Store = store }))
            {
                var waiting = await first.RunAsync(Desk(), "I was charged twice");
                Assert.Equal(RunStatus.Waiting, waiting.Status);
                runId = waiting.RunId;
            }

            await using var reopened = new SqliteRunStore(options());
            await using var second = new BatonRuntime(new BatonOptions { Store = reopened });
            second.Register(Desk());
            var question = Assert.Single(await second.Humans.ListOpenAsync(runId));
            Assert.Contains("Allow the tool 'refund'", question.Prompt, StringComparison.Ordinal);
            Assert.Equal(0, refunds);

            var answer = await second.Humans.AnswerAsync(question.Id, "yes");
            var result = await answer.Run!.Completion.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.True(result.IsSuccess, result.Error?.Message);
            Assert.Equal("Refunded 20.", result.Output!.AsText());
            Assert.Equal(1, refunds);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { dir.Delete(recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Counts the calls that reach the tool (after its approval).</summary>
    private sealed class CountingFunction(AIFunction inner, Action counted) : DelegatingAIFunction(inner)
    {
        protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            counted();
            return base.InvokeCoreAsync(arguments, cancellationToken);
        }
    }

    /// <summary>Records the names of the tools offered in the first call.</summary>
    private sealed class OptionsSpy(IChatClient inner, List<string> offered) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            lock (offered) if (offered.Count == 0) offered.AddRange(options?.Tools?.Select(t => t.Name) ?? []);
            return base.GetResponseAsync(messages, options, cancellationToken);
        }
    }
}
