namespace Baton.Tests.Core;

public sealed class StateReducerTests
{
    [Theory]
    [InlineData("append")]
    [InlineData("merge")]
    [InlineData("sum")]
    public async Task Concurrent_writers_to_one_key_lose_no_update(string reducerName)
    {
        const int writers = 40;
        var reducer = reducerName switch
        {
            "append" => StateReducer.Append,
            "merge" => StateReducer.Merge,
            _ => StateReducer.Custom("sum", (current, update) => Payload.From((current?.Get<int>() ?? 0) + update.Get<int>())),
        };
        var writer = Agent.Create("write", async (input, context, ct) =>
        {
            await Task.Yield();
            var i = input.Get<int>();
            context.SetState("shared", reducerName switch
            {
                "merge" => Payload.From(new Dictionary<string, int> { [$"k{i}"] = i }),
                "sum" => Payload.From(1),
                _ => Payload.From(i),
            });
            return AgentResult.Success(input);
        });
        var read = Agent.Create("read", (_, context, _) =>
            new ValueTask<AgentResult>(AgentResult.Success(context.State.TryGet("shared", out var v) ? v : Payload.Empty)));
        var workflow = new WorkflowBuilder("writers")
            .DeclareState("shared", reducer)
            .AddStep(Agent.Create("items", _ => Payload.From(Enumerable.Range(0, writers).ToArray())))
            .AddStep(new ForEachStep("fan", new WorkflowBuilder("w").AddStep(writer).Build()))
            .AddStep(read)
            .AddEdge("items", "fan")
            .AddEdge("fan", "read")
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x");

        var state = result.Output!.AsJson();
        switch (reducerName)
        {
            case "append":
                Assert.Equal(Enumerable.Range(0, writers), state.EnumerateArray().Select(e => e.GetInt32()).Order());
                break;
            case "merge":
                Assert.Equal(writers, state.EnumerateObject().Count());
                break;
            default:
                Assert.Equal(writers, state.GetInt32());
                break;
        }
    }

    [Fact]
    public async Task Last_write_wins_and_writes_are_applied_in_journal_order()
    {
        var a = Agent.Create("a", (i, c, _) => { c.SetState("v", "first"); c.SetState("v", "second"); return new ValueTask<AgentResult>(AgentResult.Success(i)); });
        var b = Agent.Create("b", (_, c, _) => new ValueTask<AgentResult>(AgentResult.Success(c.State.TryGet("v", out var v) ? v : "none")));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(SequentialBuilder.Create("lww", a, b), "x");

        Assert.Equal("second", result.Output!.AsText());
    }

    [Fact]
    public async Task A_write_the_reducer_rejects_fails_the_step_and_changes_nothing()
    {
        var bad = Agent.Create("bad", (i, c, _) => { c.SetState("obj", "not an object"); return new ValueTask<AgentResult>(AgentResult.Success(i)); });
        var workflow = new WorkflowBuilder("m").DeclareState("obj", StateReducer.Merge).AddStep(bad).Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(workflow, "x");

        Assert.Equal("state", result.Error!.Code);
        Assert.Contains("the merge reducer takes JSON objects only", result.Error.Message, StringComparison.Ordinal);
    }
}
