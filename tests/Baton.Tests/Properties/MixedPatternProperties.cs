using System.Globalization;
using Baton.Storage;
using Baton.Tests.Engine;
using CsCheck;

namespace Baton.Tests.Properties;

/// <summary>
/// Random workflows nesting every pattern (sequential, parallel, foreach, route, vote, state machines looping on
/// state and on output, graph), with agents that append and merge state from parallel branches and publish
/// events: every run gives the same output, journal (ordered by key), invocations, events and final state, and
/// resuming from any journal prefix gives the same again without re-running anything the prefix had completed.
/// </summary>
public sealed class MixedPatternProperties
{
    [Fact]
    public Task Every_pattern_nested_gives_the_same_output_journal_and_state_run_after_run() =>
        Gen.Select(MixedWorkflowGen.Workflow, Gen.Bool).SampleAsync(async (spec, yields) =>
        {
            var workflow = new MixedWorkflow(spec, yields);
            var first = await workflow.RunAsync();
            var second = await workflow.RunAsync();

            Assert.Equal(RunStatus.Succeeded, first.Result.Status);
            Assert.Equal(RunStatus.Succeeded, second.Result.Status);
            Assert.Equal(Text(first.Result.Output), Text(second.Result.Output));
            Assert.Equal(Entries(first), Entries(second));
            Assert.All(first.Invocations, i => Assert.Equal(1, i.Value));
            Assert.Equal(first.Invocations.Keys.Order(StringComparer.Ordinal), second.Invocations.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(State(first.FinalState), State(second.FinalState));
            foreach (var run in (MixedRun[])[first, second])
            {
                // Every event a step committed reached the bus once.
                Assert.Equal(Published(run, run.Journal).Order(StringComparer.Ordinal), Local(run, run.Delivered).Order(StringComparer.Ordinal));
            }
        }, iter: Iterations, threads: 1, print: t => $"{t.Item1}, yields {t.Item2}");

    [Fact]
    public Task Every_pattern_nested_resumes_from_any_journal_prefix_to_the_same_run() =>
        Gen.Select(MixedWorkflowGen.Workflow, Gen.Bool, Gen.Double[0, 1]).SampleAsync(async (spec, yields, cut) =>
        {
            var workflow = new MixedWorkflow(spec, yields);
            var uninterrupted = await workflow.RunAsync();
            var runId = uninterrupted.Result.RunId;
            var journal = uninterrupted.Journal;
            var prefix = 1 + (int)(cut * (journal.Count - 2)); // keep the start, drop at least the end
            var store = await JournalCopy.PrefixAsync(uninterrupted.Store, runId, prefix);
            var kept = journal.Take(prefix).ToArray();
            var completed = kept.Where(e => e.Kind == JournalEntryKind.StepCompleted).Select(e => e.Key!).ToArray();
            var announced = kept.Where(e => e.Kind == JournalEntryKind.EventsPublished).Select(e => e.Key!).ToHashSet(StringComparer.Ordinal);

            var resumed = await workflow.ResumeAsync(store, runId);

            Assert.Equal(RunStatus.Succeeded, resumed.Result.Status);
            Assert.Equal(Text(uninterrupted.Result.Output), Text(resumed.Result.Output));
            Assert.Equal(Entries(uninterrupted), Entries(resumed));
            Assert.Equal(State(uninterrupted.FinalState), State(resumed.FinalState));
            foreach (var (key, count) in resumed.Invocations)
            {
                Assert.True(count == 1, $"agent {key} ran {count} times on resume");
                var done = CompletedCovering(completed, key);
                Assert.True(done is null, $"agent {key} ran again although {done} had completed before the cut at entry {prefix}");
            }

            foreach (var key in uninterrupted.Invocations.Keys)
            {
                Assert.True(resumed.Invocations.ContainsKey(key) || CompletedCovering(completed, key) is not null,
                    $"agent {key} neither completed before the cut at entry {prefix} nor ran on resume");
            }

            // Events of steps the prefix completed without marking them published go out again; nothing else repeats.
            var expected = resumed.Journal.Where(e => e.Kind == JournalEntryKind.StepCompleted && !announced.Contains(e.Key!)).ToArray();
            Assert.Equal(Published(resumed, expected).Order(StringComparer.Ordinal), Local(resumed, resumed.Delivered).Order(StringComparer.Ordinal));
        }, iter: Iterations, threads: 1, print: t => $"{t.Item1}, yields {t.Item2}, cut {t.Item3.ToString(CultureInfo.InvariantCulture)}");

    [Fact]
    public Task Every_pattern_nested_gives_the_same_final_state_exactly() =>
        Gen.Select(MixedWorkflowGen.Workflow, Gen.Double[0, 1]).SampleAsync(async (spec, cut) =>
        {
            var workflow = new MixedWorkflow(spec, yields: true);
            var first = await workflow.RunAsync();
            var second = await workflow.RunAsync();
            var prefix = 1 + (int)(cut * (first.Journal.Count - 2));
            var resumed = await workflow.ResumeAsync(await JournalCopy.PrefixAsync(first.Store, first.Result.RunId, prefix), first.Result.RunId);

            // Appends and merges from parallel branches in branch order, not completion order: no sorting here.
            Assert.Equal(ExactState(first.FinalState), ExactState(second.FinalState));
            Assert.Equal(ExactState(first.FinalState), ExactState(resumed.FinalState));
        }, iter: Iterations, threads: 1, print: t => $"{t.Item1}, cut {t.Item2.ToString(CultureInfo.InvariantCulture)}");

    // Each property runs a few hundred steps per iteration: this many keeps the folder well under 20 s on two cores.
    private const int Iterations = 150;

    private static string? CompletedCovering(string[] completed, string key) =>
        completed.FirstOrDefault(c => key == c || key.StartsWith(c + "/", StringComparison.Ordinal));

    private static string Text(Payload? payload) => payload is null ? "<null>" : $"{payload.Kind}:{payload.AsText()}";

    /// <summary>The journal's keyed entries ordered by key: what a deterministic run must repeat exactly.</summary>
    private static List<string> Entries(MixedRun run) =>
    [
        .. run.Journal
            .Where(e => e.Key is not null && e.Kind != JournalEntryKind.StateSnapshot)
            .OrderBy(e => e.Key, StringComparer.Ordinal).ThenBy(e => e.Kind)
            .Select(e => string.Join(" | ",
                e.Key,
                e.Kind,
                e.StepId,
                Text(e.Payload),
                e.Confidence?.ToString("R", CultureInfo.InvariantCulture) ?? "-",
                e.Attempts.ToString(CultureInfo.InvariantCulture),
                e.Next ?? "-",
                string.Join(", ", (e.StateChanges ?? []).Select(c => $"{c.Name}={Text(c.Value)}")),
                string.Join(", ", (e.Messages ?? []).Select(m => $"{m.Topic ?? m.Recipient}#{Local(run, m.Id)}={Text(m.Payload)}")))),
    ];

    private static IEnumerable<string> Published(MixedRun run, IEnumerable<JournalEntry> entries) =>
        entries.Where(e => e.Kind == JournalEntryKind.StepCompleted).SelectMany(e => e.Messages ?? []).Where(m => m.Topic is not null).Select(m => Local(run, m.Id));

    private static IEnumerable<string> Local(MixedRun run, IEnumerable<string> ids) => ids.Select(id => Local(run, id));

    // Message ids start with the run id, which differs from run to run.
    private static string Local(MixedRun run, string id) =>
        id.StartsWith(run.Result.RunId, StringComparison.Ordinal) ? id[run.Result.RunId.Length..] : id;

    private static SortedDictionary<string, string> ExactState(IReadOnlyDictionary<string, Payload> state) =>
        new(state.ToDictionary(p => p.Key, p => Text(p.Value), StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>
    /// The final state with the append and merge variables sorted: parallel branches write them in completion
    /// order today (see <see cref="BranchOrderProperties"/> and <see cref="Every_pattern_nested_gives_the_same_final_state_exactly"/>);
    /// every other variable must match exactly.
    /// </summary>
    private static SortedDictionary<string, string> State(IReadOnlyDictionary<string, Payload> state)
    {
        var canonical = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in state)
        {
            canonical[name] = name switch
            {
                MixedWorkflow.Log => string.Join(", ", value.AsJson().EnumerateArray().Select(e => e.GetRawText()).Order(StringComparer.Ordinal)),
                MixedWorkflow.Seen => string.Join(", ", value.AsJson().EnumerateObject().Select(p => $"{p.Name}={p.Value.GetRawText()}").Order(StringComparer.Ordinal)),
                _ => Text(value),
            };
        }

        return canonical;
    }
}
