using Baton.Yaml;

namespace Baton.Yaml.Tests.Building;

/// <summary><c>emit</c> topics are templates: rendered with the data's variables, checked at load, matched by <c>on:</c>.</summary>
public sealed class EmitTopicTests
{
    private const string Head = """
        version: 1
        inputs:
          kind: { type: string, default: daily }
        models:
          m: { provider: scripted, replies: [unused] }
        agents:
          collector: { model: m }
        """;

    [Fact]
    public async Task The_topic_is_rendered_and_an_on_subscription_matches_the_rendered_topic()
    {
        var delivered = new TaskCompletionSource<Payload>(TaskCreationOptions.RunContinuationsAsynchronously);
        var collector = Agent.Create("collector", (input, _, _) =>
        {
            delivered.TrySetResult(input);
            return new ValueTask<AgentResult>(AgentResult.Success(input));
        });
        var built = FileRuns.Build(Head + """

            on:
              "reports.daily": [collector]
            workflow:
              emit: { topic: "reports.{{ inputs.kind }}", data: { kind: "{{ inputs.kind }}", words: "{{ state.inputs.kind | size }}" } }
            """, new Dictionary<string, IAgent> { ["collector"] = collector });
        await using var runtime = new BatonRuntime();
        built.Subscribe(runtime);
        var seen = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        runtime.Events.Subscribe("reports.*", "listener", (message, _) =>
        {
            seen.TrySetResult(message);
            return ValueTask.CompletedTask;
        });

        var result = await runtime.RunAsync(built.Workflow, Payload.ParseJson("""{"kind":"daily"}"""));

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("reports.daily", (await seen.Task.WaitAsync(TimeSpan.FromSeconds(30))).Topic);
        Assert.Equal("""{"kind":"daily","words":"5"}""", (await delivered.Task.WaitAsync(TimeSpan.FromSeconds(30))).ToString());
    }

    [Fact]
    public void An_invalid_topic_template_is_reported_inside_the_topic()
    {
        var error = Assert.Single(WorkflowFile.Read(Head + "\nworkflow:\n  emit: { topic: \"reports.{{ inputs.kind \" }\n", "flow.yaml").Errors);

        Assert.Equal(9, error.Line);
        Assert.Contains("invalid template in 'topic'", error.Message);
    }

    [Fact]
    public void A_fixed_topic_that_is_not_a_topic_is_reported_at_load()
    {
        var error = Assert.Single(WorkflowFile.Read(Head + "\nworkflow:\n  emit: { topic: \"reports..x\" }\n", "flow.yaml").Errors);

        Assert.Equal((9, 18), (error.Line, error.Column));
        Assert.Equal("invalid 'topic': topic 'reports..x' has an empty segment", error.Message);
    }

    [Fact]
    public async Task A_topic_that_renders_to_no_topic_fails_the_step_naming_it()
    {
        var built = FileRuns.Build(Head + "\nworkflow:\n  emit: { topic: \"reports.{{ input.missing }}\" }\n  id: publish\n");

        var result = await FileRuns.RunAsync(built);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("emit 'publish' rendered its topic 'reports.{{ input.missing }}' as 'reports.', which is not a topic", result.Error!.Message);
        Assert.Equal("emit_topic", result.Error.Code);
    }
}
