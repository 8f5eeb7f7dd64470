using Baton.Yaml;

namespace Baton.Yaml.Tests.Building;

/// <summary>In a workflow file a model agent's resource counts its model calls; other agents' count their step attempts.</summary>
public sealed class ModelAgentResourceTests
{
    // The model's first reply misses the schema, so the agent calls it twice in one step.
    private const string File = """
        version: 1
        resources:
          api: { requestsPerMinute: 10 }
          other: { requestsPerMinute: 10 }
        models:
          m: { provider: scripted, resource: api, replies: ["not json", '{"answer": "42"}'] }
        agents:
          ask:
            model: m
            output:
              schema: { type: object, properties: { answer: { type: string } }, required: [answer] }
          note: { template: "noted {{ input.answer }}" }
        """;

    private static async Task<(RunResult Result, int Api, int Other)> RunAsync(string workflow)
    {
        var read = WorkflowFile.Read(File + "\n" + workflow, "flow.yaml");
        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        var built = WorkflowFile.Build(read.Document!);
        // Fake time that nothing advances: every permit taken stays in its window.
        await using var runtime = new BatonRuntime(new BatonOptions { Resources = built.Resources, TimeProvider = new FakeTime() });
        var result = await runtime.RunAsync(built.Workflow, "go", new RunOptions { Limits = RunLimits.Default with { Timeout = null } });
        return (result, runtime.Resources["api"].GetStatistics().RequestsInWindow, runtime.Resources["other"].GetStatistics().RequestsInWindow);
    }

    [Fact]
    public async Task The_models_resource_counts_each_model_call_and_a_template_step_on_it_counts_its_attempt()
    {
        var (result, api, other) = await RunAsync("workflow:\n  sequential: [ask, { agent: note, resource: api }]\n");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("noted 42", result.Output!.AsText());
        // Two model calls (the reply and its repair) and one template step; not 1 + 1.
        Assert.Equal((3, 0), (api, other));
    }

    [Fact]
    public async Task A_steps_resource_replaces_the_model_agents_for_each_of_its_calls()
    {
        var (result, api, other) = await RunAsync("workflow: { agent: ask, resource: other }\n");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal((0, 2), (api, other));
    }
}
