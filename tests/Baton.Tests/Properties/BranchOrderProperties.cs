using System.Collections.Concurrent;
using System.Globalization;
using CsCheck;

namespace Baton.Tests.Properties;

/// <summary>
/// State written by parallel branches reaches the run state in branch order, whatever order the branches
/// finish in, so an <c>append</c> list and a <c>merge</c> object are the same on every run.
/// </summary>
public sealed class BranchOrderProperties
{
    [Fact]
    public Task Append_from_parallel_branches_is_in_branch_order() =>
        Gen.Int[2, 5].SampleAsync(async width =>
        {
            // Branch i may write only once branch i + 1 has committed its write: they finish last branch first.
            var mayWrite = Enumerable.Range(0, width).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
            mayWrite[^1].SetResult();
            var written = new ConcurrentQueue<string>();
            var parallel = new ParallelBuilder("fan");
            for (var i = 0; i < width; i++)
            {
                var index = i;
                var name = "b" + i.ToString(CultureInfo.InvariantCulture);
                var wait = Agent.Create("wait" + name, async (input, _, ct) =>
                {
                    await mayWrite[index].Task.WaitAsync(ct);
                    return AgentResult.Success(input);
                });
                var write = Agent.Create("write" + name, (input, context) =>
                {
                    context.SetState("log", Payload.From(name));
                    context.SetState("merged", Payload.From(new Dictionary<string, string> { ["last"] = name, [name] = name }));
                    return AgentResult.Success(input);
                });
                // Runs once the write step has committed: only then may the branch before this one write.
                var after = Agent.Create("after" + name, (input, _) =>
                {
                    written.Enqueue(name);
                    if (index > 0) mayWrite[index - 1].SetResult();
                    return AgentResult.Success(input);
                });
                parallel.Branch(name, SequentialBuilder.Create("branch" + name, wait, write, after));
            }

            var read = Agent.Create("read", (_, context) => AgentResult.Success(JsonPayloads.Object(
            [
                new("log", context.State.TryGet("log", out var log) ? log : null),
                new("merged", context.State.TryGet("merged", out var merged) ? merged : null),
            ])));
            var workflow = new WorkflowBuilder("ordered")
                .DeclareState("log", StateReducer.Append)
                .DeclareState("merged", StateReducer.Merge)
                .AddStep(parallel.BuildStep())
                .AddStep(read)
                .AddEdge("fan", "read")
                .Build();
            await using var runtime = new BatonRuntime();

            var result = await runtime.RunAsync(workflow, "go");

            Assert.Equal(RunStatus.Succeeded, result.Status);
            var branches = Enumerable.Range(0, width).Select(i => "b" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(branches.Reverse(), written); // the writes did finish in reverse branch order
            var expectedLog = "[" + string.Join(",", branches.Select(b => $"\"{b}\"")) + "]";
            var expectedMerged = "{\"last\":\"" + branches[^1] + "\"," + string.Join(",", branches.Select(b => $"\"{b}\":\"{b}\"")) + "}";
            // The state the next step sees, and the state replayed from the journal.
            var seen = result.Output!.AsJson();
            Assert.Equal(expectedLog, seen.GetProperty("log").GetRawText());
            Assert.Equal(expectedMerged, seen.GetProperty("merged").GetRawText());
            var replayed = (await runtime.ReplayAsync(result.RunId, workflow)).FinalState;
            Assert.Equal(expectedLog, replayed["log"].AsText());
            Assert.Equal(expectedMerged, replayed["merged"].AsText());
        }, iter: 8, threads: 1, print: width => $"{width} branches");
}
