using System.Collections.Concurrent;
using System.Globalization;
using Baton.Storage;
using Baton.Tests.Engine;
using CsCheck;

namespace Baton.Tests.Properties;

/// <summary>
/// Random graphs of sequences, fan-outs and loops over deterministic agents: every execution
/// takes the same path to the same output, and resuming from any prefix of the journal gives
/// the output of an uninterrupted run without re-running anything the prefix had completed.
/// </summary>
public sealed class DeterminismProperties
{
    [Fact]
    public Task Same_agents_give_the_same_output_and_journal_order() =>
        Gen.Int[0, int.MaxValue].Select(Gen.Bool).SampleAsync(async (seed, yields) =>
        {
            var graph = RandomGraph.Create(seed, yields);
            var first = await graph.RunAsync();
            var second = await graph.RunAsync();

            Assert.Equal(RunStatus.Succeeded, first.Result.Status);
            Assert.Equal(first.Result.Output, second.Result.Output);
            var a = Steps(first.Journal);
            var b = Steps(second.Journal);
            if (yields)
            {
                // Concurrent branches interleave by completion time; each step's position key is
                // deterministic, so the journal ordered by key is the same every time.
                a = [.. a.OrderBy(s => s.Key, StringComparer.Ordinal)];
                b = [.. b.OrderBy(s => s.Key, StringComparer.Ordinal)];
            }

            Assert.Equal(a, b);
        }, iter: 120, threads: 1, print: t => $"seed {t.Item1}, yields {t.Item2}");

    [Fact]
    public Task Resuming_from_any_journal_prefix_gives_the_uninterrupted_output() =>
        Gen.Int[0, int.MaxValue].Select(Gen.Bool, Gen.Double[0, 1]).SampleAsync(async (seed, yields, cut) =>
        {
            var graph = RandomGraph.Create(seed, yields);
            var uninterrupted = await graph.RunAsync();
            var journal = uninterrupted.Journal;
            var prefix = 1 + (int)(cut * (journal.Count - 2)); // keep the start, drop at least the end
            var store = await JournalCopy.PrefixAsync(uninterrupted.Store, uninterrupted.Result.RunId, prefix);
            var completed = journal.Take(prefix).Where(e => e.Kind == JournalEntryKind.StepCompleted).Select(e => e.Key!).ToArray();

            var resumed = await graph.ResumeAsync(store, uninterrupted.Result.RunId);

            Assert.Equal(RunStatus.Succeeded, resumed.Result.Status);
            Assert.Equal(uninterrupted.Result.Output, resumed.Result.Output);
            foreach (var key in resumed.Invoked)
            {
                var rerun = completed.FirstOrDefault(c => key == c || key.StartsWith(c + "/", StringComparison.Ordinal));
                Assert.True(rerun is null, $"step {key} ran again although {rerun} had completed before the cut at entry {prefix}");
            }

            Assert.Equal(
                Steps(uninterrupted.Journal).Select(s => s.Key).Order(StringComparer.Ordinal),
                Steps(resumed.Journal).Select(s => s.Key).Distinct().Order(StringComparer.Ordinal));
        }, iter: 150, threads: 1, print: t => $"seed {t.Item1}, yields {t.Item2}, cut {t.Item3}");

    private static List<(string Key, string Step, string Output, string? Next)> Steps(IReadOnlyList<JournalEntry> journal) =>
        journal.Where(e => e.Kind == JournalEntryKind.StepCompleted).Select(e => (e.Key!, e.StepId!, e.Payload!.AsText(), e.Next)).ToList();

    private sealed class RandomGraph
    {
        private readonly Random _random;
        private readonly bool _yields;
        private ConcurrentBag<string> _invoked = [];
        private int _ids;

        private RandomGraph(int seed, bool yields)
        {
            _random = new Random(seed);
            _yields = yields;
            Workflow = Build(depth: 0);
        }

        public Workflow Workflow { get; }

        public static RandomGraph Create(int seed, bool yields) => new(seed, yields);

        public async Task<Execution> RunAsync()
        {
            _invoked = [];
            var store = new InMemoryRunStore();
            await using var runtime = new BatonRuntime(new BatonOptions { Store = store, Limits = new RunLimits { MaxSteps = 100_000 } });
            var result = await runtime.RunAsync(Workflow, "seed");
            return new Execution(result, await store.ReadJournalAsync(result.RunId), store, [.. _invoked]);
        }

        public async Task<Execution> ResumeAsync(InMemoryRunStore store, string runId)
        {
            _invoked = [];
            await using var runtime = new BatonRuntime(new BatonOptions { Store = store, Limits = new RunLimits { MaxSteps = 100_000 } });
            var result = await (await runtime.ResumeAsync(runId, Workflow)).Completion;
            return new Execution(result, await store.ReadJournalAsync(runId), store, [.. _invoked]);
        }

        private Workflow Build(int depth)
        {
            var name = "w" + Next();
            var builder = new SequentialBuilder(name);
            var length = _random.Next(1, 4);
            for (var i = 0; i < length; i++) builder.Then(BuildStep(depth));
            return builder.Build();
        }

        private Step BuildStep(int depth)
        {
            var kind = depth >= 2 ? 0 : _random.Next(4);
            switch (kind)
            {
                case 1:
                    var parallel = new ParallelBuilder("p" + Next());
                    var width = _random.Next(2, 5);
                    for (var i = 0; i < width; i++) parallel.Branch("b" + i.ToString(CultureInfo.InvariantCulture), Build(depth + 1));
                    return parallel.MergeWith(_random.Next(2) == 0 ? Merge.List : Merge.ByName).BuildStep();
                case 2:
                    return new AgentStep(Loop(depth + 1));
                default:
                    return new AgentStep(Leaf("a" + Next()));
            }
        }

        private IAgent Loop(int depth)
        {
            var id = "loop" + Next();
            var counter = "n_" + id;
            var iterations = _random.Next(1, 5);
            var tick = Agent.Create("tick", (input, context, _) =>
            {
                context.SetState(counter, Payload.From(context.State.Get<int>(counter) + 1));
                return new ValueTask<AgentResult>(AgentResult.Success(input));
            });
            return new StateMachineBuilder(id)
                .State(new AgentStep(Build(depth).AsAgent(), "body"))
                .State("tick", tick)
                .Transition("body", "tick")
                .Transition("tick", "body", o => o.State.Get<int>(counter) < iterations, $"{counter} < {iterations}")
                .Build()
                .AsAgent();
        }

        private IAgent Leaf(string id) => Agent.Create(id, async (input, context, _) =>
        {
            _invoked.Add(context.IdempotencyKey[(context.RunId.Length + 1)..]);
            if (_yields) await Task.Yield();
            return AgentResult.Success(Payload.FromText(Fnv(input.AsText() + ">" + id)));
        });

        private string Next() => (++_ids).ToString(CultureInfo.InvariantCulture);

        private static string Fnv(string text)
        {
            var hash = 2166136261u;
            foreach (var c in text) hash = (hash ^ c) * 16777619u;
            return hash.ToString("x8", CultureInfo.InvariantCulture);
        }
    }

    private sealed record Execution(RunResult Result, IReadOnlyList<JournalEntry> Journal, InMemoryRunStore Store, string[] Invoked);
}
