using Baton.Yaml;

namespace Baton.Yaml.Tests.Building;

/// <summary>Workflow files run through the engine (template agents; model agents come with Baton.AI's model agent).</summary>
public sealed class WorkflowBuildTests
{
    private static async Task<RunResult> RunAsync(string yaml, Payload? input = null, BatonOptions? options = null)
    {
        var read = WorkflowFile.Read(yaml, "flow.yaml");
        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        var built = WorkflowFile.Build(read.Document!);
        await using var runtime = new BatonRuntime(options ?? new BatonOptions { Resources = built.Resources });
        return await runtime.RunAsync(built.Workflow, input ?? Payload.ParseJson("""{"topic":"AI agents"}"""));
    }

    private const string Agents = """
        version: 1
        inputs:
          topic: { type: string, default: "AI trends" }
        agents:
          upper: { template: "{{ input | upcase }}" }
          research: { template: "findings on {{ inputs.topic }}" }
          analyze: { template: '{"analysis": "{{ input }} analysed", "confidence": 0.9}', json: true }
          write: { template: "Report: {{ input.analysis }}" }
          echo: { template: "{{ input }}" }
        """;

    [Fact]
    public async Task A_sequential_file_runs_with_inputs_json_and_navigation()
    {
        var result = await RunAsync(Agents + "\nworkflow:\n  sequential: [research, analyze, write]\n");
        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("Report: findings on AI agents analysed", result.Output!.AsText());
    }

    [Fact]
    public async Task Parallel_branches_merge_by_name_and_in_order()
    {
        var byName = await RunAsync(Agents + "\nworkflow:\n  sequential:\n    - research\n    - parallel: { branches: { loud: upper, same: echo }, merge: object }\n");
        Assert.Equal("""{"loud":"FINDINGS ON AI AGENTS","same":"findings on AI agents"}""", byName.Output!.ToString());
        var concat = await RunAsync(Agents + "\nworkflow:\n  sequential:\n    - research\n    - parallel: { branches: [upper, echo], merge: concat }\n");
        Assert.Equal("FINDINGS ON AI AGENTS\n\nfindings on AI agents", concat.Output!.AsText());
    }

    [Fact]
    public async Task Foreach_runs_the_step_per_item_of_the_expression()
    {
        var result = await RunAsync(Agents + "\nworkflow:\n  foreach: { items: \"inputs.topic.split(' ')\", do: upper, merge: list }\n");
        Assert.Equal("""["AI","AGENTS"]""", result.Output!.ToString());
    }

    [Fact]
    public async Task Route_classifies_by_expression_and_validates()
    {
        // Specialists receive the manager's context: { task, route, context, attempt, rejections }.
        var yaml = Agents + "\n" + """
              quiet: { template: "{{ input.task }}" }
              loud: { template: "{{ input.task | upcase }} ON ATTEMPT {{ input.attempt }} AFTER {{ input.rejections.size }} REJECTION" }
            workflow:
              sequential:
                - research
                - route:
                    classify: "input.length > 10 && inputs.topic.length > 0 ? 'long' : 'short'"
                    routes: { long: [quiet, loud], short: loud }
                    validate: "output == output.toUpperCase()"
            """;
        var result = await RunAsync(yaml);
        Assert.True(result.IsSuccess, result.Error?.Message);
        // quiet's answer was rejected by the expression; loud, the next specialist, was accepted and saw why.
        Assert.Equal("FINDINGS ON AI AGENTS ON ATTEMPT 2 AFTER 1 REJECTION", result.Output!.AsText());
    }

    [Fact]
    public async Task States_loop_on_a_condition_over_state_then_end()
    {
        var yaml = Agents + """

            workflow:
              states:
                count: { do: { set: { n: "(state.n || 0) + 1" } }, next: [{ when: "state.n < 3", goto: count }, { goto: done }] }
                done: { do: { agent: echo, input: "counted {{ state.n }}" }, next: end }
            """;
        var result = await RunAsync(yaml);
        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("counted 3", result.Output!.AsText());
    }

    [Fact]
    public async Task Step_options_input_as_and_on_error()
    {
        var yaml = Agents + "\n" + """
              broken: { template: "not json", json: true }
              fallback: { template: "recovered from {{ input.error.step }}: {{ input.partial.research }}" }
            workflow:
              sequential:
                - { agent: research, as: notes }
                - { agent: broken, onError: fallback }
                - { agent: echo, input: "{{ input }} / notes: {{ state.notes }}" }
            """;
        var result = await RunAsync(yaml);
        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("recovered from broken: findings on AI agents / notes: findings on AI agents", result.Output!.AsText());
    }

    [Fact]
    public async Task A_vote_of_template_agents_takes_the_majority()
    {
        var yaml = Agents + "\n" + """
              yes1: { template: "ship" }
              yes2: { template: "Ship " }
              no: { template: "hold" }
            workflow:
              vote: { voters: [yes1, yes2, no], strategy: majority }
            """;
        var result = await RunAsync(yaml);
        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("ship", result.Output!.AsText().Trim().ToLowerInvariant());
    }

    [Fact]
    public async Task Set_and_emit_write_state_and_publish_an_event()
    {
        var yaml = Agents + """

            workflow:
              sequential:
                - set: { seen: "inputs.topic.length" }
                - emit: { topic: reports.done, data: { topic: "{{ inputs.topic }}", size: "{{ state.seen }}" } }
            """;
        var read = WorkflowFile.Read(yaml, "flow.yaml");
        var built = WorkflowFile.Build(read.Document!);
        await using var runtime = new BatonRuntime();
        var received = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        runtime.Events.Subscribe("reports.*", "listener", (message, _) =>
        {
            received.TrySetResult(message);
            return ValueTask.CompletedTask;
        });

        var result = await runtime.RunAsync(built.Workflow, Payload.ParseJson("""{"topic":"AI agents"}"""));

        Assert.True(result.IsSuccess, result.Error?.Message);
        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("""{"topic":"AI agents","size":"9"}""", message.Payload.ToString());
    }

    [Fact]
    public async Task An_ask_step_suspends_on_a_durable_wait_and_the_answer_finishes_the_run()
    {
        var yaml = Agents + "\nworkflow:\n  sequential:\n    - research\n    - ask: \"Publish {{ input }}?\"\n    - upper\n";
        var read = WorkflowFile.Read(yaml, "flow.yaml");
        var built = WorkflowFile.Build(read.Document!);
        await using var runtime = new BatonRuntime(new BatonOptions { HumanWaitInMemory = TimeSpan.Zero });
        runtime.Register(built.Workflow);

        var waiting = await runtime.RunAsync(built.Workflow, Payload.ParseJson("""{"topic":"AI agents"}"""));
        var request = Assert.Single(await runtime.Humans.ListOpenAsync(waiting.RunId));
        var answered = await runtime.Humans.AnswerAsync(request.Id, "yes please");
        var result = await answered.Run!.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Waiting, waiting.Status);
        Assert.Equal("Publish findings on AI agents?", request.Prompt);
        Assert.Equal("YES PLEASE", result.Output!.AsText());
    }

    [Fact]
    public async Task A_runaway_expression_fails_its_step_clearly()
    {
        var result = await RunAsync(Agents + "\nworkflow:\n  set: { x: \"(() => { while (true) {} })()\" }\n");
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("the expression", result.Error!.Message);
    }
}

public sealed class FirstFileTests
{
    [Fact]
    public async Task The_first_file_of_the_format_prints_its_report()
    {
        var read = WorkflowFile.Read(Loading.Examples.FirstFile, "report.yaml");
        var built = WorkflowFile.Build(read.Document!);
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(built.Workflow, Payload.ParseJson("""{"topic":"AI agents"}"""));

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("Report: adoption of AI agents is rising.", result.Output!.AsText());
        var journal = await runtime.Store.ReadJournalAsync(result.RunId);
        var analyst = journal.Single(e => e.StepId == "analyst");
        Assert.Equal(0.9, analyst.Confidence);
        Assert.Equal("Adoption is rising.", analyst.Payload!.AsJson().GetProperty("analysis").GetString());
    }

    [Fact]
    public void A_model_agent_naming_a_tool_that_is_not_available_is_refused()
    {
        var yaml = "version: 1\nmodels:\n  m: { provider: scripted, replies: [x] }\nagents:\n  a: { model: m, tools: [search] }\nworkflow: a\n";
        var read = WorkflowFile.Read(yaml, "flow.yaml");
        // Refused where the agent names it, like every other error of a file.
        var error = Assert.Single(Assert.Throws<WorkflowFileException>(() => WorkflowFile.Build(read.Document!)).Errors);
        Assert.Equal((5, 26), (error.Line, error.Column));
        Assert.Contains("names tool 'search', which is not defined", error.Message);
        Assert.Contains("names tool(s) 'search' that are not available", error.Message);
    }
}
