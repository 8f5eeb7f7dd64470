using Baton.Yaml;

namespace Baton.Yaml.Tests.Building;

/// <summary><c>graph:</c> steps of workflow files: dependencies, inputs, output, concurrency, drawing.</summary>
public sealed class GraphStepTests
{
    private const string Agents = """
        version: 1
        models:
          m: { provider: scripted, replies: [unused] }
        agents:
          upper: { template: "{{ input | upcase }}" }
          left: { template: "left({{ input.topic }})" }
          right: { template: "right({{ input.topic }})" }
          join: { template: "{{ input.left }} + {{ input.right }}" }
          wrap: { template: "[{{ input }}]" }
        """;

    [Fact]
    public async Task Nodes_run_after_their_dependencies_with_the_one_output_or_an_object_by_name()
    {
        var built = FileRuns.Build(Agents + """

            workflow:
              graph:
                nodes:
                  left: { do: left }
                  right: { do: right }
                  join: { do: join, after: [left, right] }
                  wrap: { do: wrap, after: join }
            """);

        var result = await FileRuns.RunAsync(built, """{"topic":"ai"}""");

        Assert.True(result.IsSuccess, result.Error?.Message);
        // Without 'output' the last listed node's output is the step's.
        Assert.Equal("[left(ai) + right(ai)]", result.Output!.AsText());
    }

    [Fact]
    public async Task The_output_node_is_the_one_named()
    {
        var built = FileRuns.Build(Agents + """

            workflow:
              sequential:
                - graph:
                    nodes:
                      left: { do: left }
                      shout: { do: upper, after: [left] }
                      right: { do: right }
                    output: shout
                - wrap
            """);

        var result = await FileRuns.RunAsync(built, """{"topic":"ai"}""");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("[LEFT(AI)]", result.Output!.AsText());
    }

    [Fact]
    public async Task Nodes_without_a_dependency_between_them_run_at_the_same_time()
    {
        // Each of the two nodes waits until both have started: run one after the other, the first would never finish.
        var arrived = 0;
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IAgent Barrier(string name) => Agent.Create(name, async (input, _, cancellationToken) =>
        {
            if (Interlocked.Increment(ref arrived) == 2) both.TrySetResult();
            await both.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return AgentResult.Success(Payload.FromText(name));
        });
        var built = FileRuns.Build(Agents + """

              first: { model: m }
              second: { model: m }
            workflow:
              graph:
                nodes:
                  a: { do: first }
                  b: { do: second }
                  both: { do: { agent: wrap, input: "{{ input.a }} and {{ input.b }}" }, after: [a, b] }
            """, new Dictionary<string, IAgent> { ["first"] = Barrier("first"), ["second"] = Barrier("second") });

        var result = await FileRuns.RunAsync(built);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("[first and second]", result.Output!.AsText());
        Assert.Equal(2, arrived);
    }

    [Fact]
    public async Task A_failing_node_fails_the_graph_and_its_on_error_fallback_takes_over()
    {
        var built = FileRuns.Build(Agents + """

              broken: { template: "not json", json: true }
              recover: { template: "recovered: {{ input.partial.left }}" }
            workflow:
              graph:
                nodes:
                  left: { do: left }
                  bad: { do: broken, after: [left] }
              onError: recover
            """);

        var result = await FileRuns.RunAsync(built, """{"topic":"ai"}""");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.StartsWith("recovered: ", result.Output!.AsText());
    }

    [Fact]
    public void The_graph_is_drawn_with_its_dependencies_as_edges()
    {
        var built = FileRuns.Build(Agents + """

            workflow:
              graph:
                nodes:
                  left: { do: left }
                  right: { do: right }
                  join: { do: join, after: [left, right] }
            """);

        var mermaid = built.Workflow.ToMermaid();

        Assert.Contains("subgraph s_graph [\"graph\"]", mermaid);
        Assert.Contains("s_graph__left --> s_graph__join", mermaid);
        Assert.Contains("s_graph__right --> s_graph__join", mermaid);
        Assert.DoesNotContain("s_graph__left --> s_graph__right", mermaid);
    }

    [Fact]
    public async Task The_graph_sample_runs_on_the_scripted_model()
    {
        var (built, errors) = await WorkflowFile.LoadAsync(Samples.Path("graph.yaml"));
        Assert.True(built is not null, string.Join("\n", errors));

        var result = await FileRuns.RunAsync(built, "{}");

        Assert.True(result.IsSuccess, result.Error?.Message);
        // The brief's rule only matches when both research nodes' outputs reached it, by name.
        Assert.Equal("Brief: a durable workflow engine fits a fast-growing market that no durable engine leads yet.", result.Output!.AsText());
    }
}
