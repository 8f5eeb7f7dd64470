namespace Baton.Yaml.Tests.Building;

/// <summary><c>groupChat:</c> and <c>handoff:</c> steps of workflow files.</summary>
public sealed class ConversationFileTests
{
    [Fact]
    public async Task A_writer_and_a_critic_chat_until_the_critic_approves()
    {
        var built = FileRuns.Build("""
            version: 1
            models:
              local:
                provider: scripted
                rules:
                  - { match: "^Write", reply: "A draft about rain." }
                  - { match: "^Review[\\s\\S]*A draft about rain.$", reply: "APPROVED" }
            agents:
              writer: { model: local, instructions: "Write about {{ input.topic }}." }
              critic: { model: local, instructions: "Review the draft." }
            workflow:
              groupChat:
                members: [writer, critic]
                until: output == 'APPROVED' || turn >= 6
            """);

        var result = await FileRuns.RunAsync(built, """{"topic":"rain"}""");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("APPROVED", result.Output!.AsText());
    }

    [Fact]
    public async Task A_template_member_gets_task_and_messages_and_until_sees_the_turn()
    {
        var built = FileRuns.Build("""
            version: 1
            agents:
              counter: { template: "{{ input.task.topic }}: {{ input.messages.size }} before me" }
            workflow:
              groupChat:
                members: [counter]
                until: turn == 3
            """);

        var result = await FileRuns.RunAsync(built, """{"topic":"rain"}""");

        Assert.Equal("rain: 2 before me", result.Output!.AsText());
    }

    [Fact]
    public async Task A_manager_agent_picks_the_speakers_until_done()
    {
        var built = FileRuns.Build("""
            version: 1
            models:
              host: { provider: scripted, replies: [critic, writer, done] }
            agents:
              manager: { model: host, instructions: "Pick the next speaker." }
              writer: { template: "writer spoke" }
              critic: { template: "critic spoke" }
            workflow:
              groupChat: { members: [writer, critic], manager: manager }
            """);

        var result = await FileRuns.RunAsync(built);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("writer spoke", result.Output!.AsText());
    }

    [Fact]
    public async Task A_manager_naming_a_non_member_twice_fails_with_unknown_member()
    {
        var built = FileRuns.Build("""
            version: 1
            models:
              host: { provider: scripted, replies: [bob] }
            agents:
              manager: { model: host }
              writer: { template: "w" }
            workflow:
              groupChat: { members: [writer], manager: manager }
            """);

        var result = await FileRuns.RunAsync(built);

        Assert.Equal("unknown_member", result.Error!.Code);
    }

    [Fact]
    public async Task A_triage_agent_hands_the_customer_to_billing_with_a_scripted_tool_call()
    {
        var built = FileRuns.Build("""
            version: 1
            models:
              local:
                provider: scripted
                replies:
                  - { tool: transfer_to_billing, args: { reason: "asks for a refund" } }
                  - "Your refund is on its way."
            agents:
              triage: { model: local, instructions: "Route the customer." }
              billing: { model: local, instructions: "Handle billing." }
              tech: { model: local, instructions: "Handle technical problems." }
            workflow:
              handoff:
                start: triage
                agents:
                  triage: { do: triage, to: [billing, tech] }
                  billing: { do: billing, to: [triage], description: "payments and refunds" }
                  tech: { do: tech, to: [triage] }
            """);

        var result = await FileRuns.RunAsync(built, "\"I was charged twice\"");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("Your refund is on its way.", result.Output!.AsText());
    }

    [Fact]
    public async Task A_handoff_ping_pong_fails_with_handoff_limit()
    {
        var built = FileRuns.Build("""
            version: 1
            models:
              local:
                provider: scripted
                rules:
                  - { match: "^Agent A", reply: { tool: transfer_to_b, args: { reason: "yours" } } }
                  - { match: "^Agent B", reply: { tool: transfer_to_a, args: { reason: "no, yours" } } }
            agents:
              first: { model: local, instructions: "Agent A." }
              second: { model: local, instructions: "Agent B." }
            workflow:
              handoff:
                agents:
                  a: { do: first, to: [b] }
                  b: { do: second, to: [a] }
                maxHandoffs: 4
            """);

        var result = await FileRuns.RunAsync(built, "\"help\"");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("handoff_limit", result.Error!.Code);
    }

    [Fact]
    public void Conversation_mistakes_are_reported_where_they_are_written()
    {
        var errors = FileRuns.Errors("""
            version: 1
            agents:
              a: { template: "a" }
              b: { template: "b" }
            workflow:
              sequential:
                - groupChat: { members: [a, c], manager: a, onMemberError: skip }
                - groupChat: { manager: b }
                - handoff:
                    start: x
                    agents:
                      one: { do: a, to: [tow, one] }
                      two: { to: [one] }
            """);

        var messages = errors.Select(e => $"{e.Line}:{e.Column}: {e.Message}").ToArray();
        Assert.Contains(messages, m => m.StartsWith("7:", StringComparison.Ordinal) && m.Contains("there is no agent 'c'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("7:", StringComparison.Ordinal) && m.Contains("the manager 'a' cannot also be a member", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("7:", StringComparison.Ordinal) && m.Contains("unknown 'onMemberError' 'skip'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("8:", StringComparison.Ordinal) && m.Contains("'groupChat' needs 'members'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("10:", StringComparison.Ordinal) && m.Contains("'start' names 'x'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("12:", StringComparison.Ordinal) && m.Contains("may transfer to 'tow', which is none of the handoff's agents (one)", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("12:", StringComparison.Ordinal) && m.Contains("cannot transfer to itself", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("13:", StringComparison.Ordinal) && m.Contains("needs 'do'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("writer-critic.yaml", "APPROVED: Rain taps the tin roofs at dusk; the street smells of wet stone.")]
    public async Task The_conversation_samples_run_to_their_answer(string file, string expected)
    {
        var (built, errors) = await WorkflowFile.LoadAsync(Samples.Path(file));
        Assert.Empty(errors);

        var result = await FileRuns.RunAsync(built!, """{"topic":"rain in the city","message":"I was charged twice for my subscription this month."}""");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(expected, result.Output!.AsText());
    }

    [Theory]
    [InlineData("yes", "result: refunded 19.99 to the customer's card")]
    [InlineData("later", "refused: a person answered 'later'")]
    public async Task The_support_desk_sample_hands_off_to_billing_whose_refund_waits_for_approval_given_in_another_runtime(string answer, string refundOutcome)
    {
        var (built, errors) = await WorkflowFile.LoadAsync(Samples.Path("support-desk.yaml"));
        Assert.Empty(errors);
        var second = (await WorkflowFile.LoadAsync(Samples.Path("support-desk.yaml"))).Workflow!.Workflow;
        var (store, runId, request, result) = await FileRuns.WaitThenAnswerElsewhereAsync(built!.Workflow, second, Payload.ParseJson("""{"message":"I was charged twice for my subscription this month."}"""), answer);

        Assert.Equal("Allow the tool 'refund' to run with {\"input\":{\"amount\":19.99}}? Answer yes to run it; any other answer refuses it.", request.Prompt);
        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("I refunded the duplicate charge of 19.99; it shows on your card in 3-5 days.", result.Output!.AsText());
        var journal = await store.ReadJournalAsync(runId);
        var refund = Assert.Single(journal, e => e.Kind == Baton.Storage.JournalEntryKind.StepCompleted && e.StepId == "refund");
        var outcome = refund.Payload!.AsJson().EnumerateObject().Single();
        Assert.Equal(refundOutcome, $"{outcome.Name}: {outcome.Value.GetString()}");
        // Triage transferred once, before the suspension; it did not run again after it.
        Assert.Single(journal, e => e.Kind == Baton.Storage.JournalEntryKind.StepCompleted && e.StepId == "triage");
    }
}
