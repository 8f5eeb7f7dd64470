using System.Text.Json.Nodes;
using Baton.Reports;
using Baton.Storage;

namespace Baton.Server.Http;

/// <summary>
/// The input each step of a run was given, as far as its journal tells: within a scope the engine hands a step's output
/// to the step it goes to next, so a step's input is the output of the step whose entry named it <c>Next</c>; the first
/// step of the run gets the run's input. The first step of a nested scope (a branch, an item) and a step reached through
/// an error route are not told by the journal: they get none.
/// </summary>
internal static class StepInputs
{
    /// <summary>The inputs known, by step key.</summary>
    public static Dictionary<string, JsonNode?> Find(IReadOnlyList<JournalEntry> journal, IReadOnlyList<RunReportStep> steps, IReadOnlyCollection<string> hiddenKeys)
    {
        // (scope, next step id) → the outputs handed to it, in journal order (a loop hands one per visit).
        var handed = new Dictionary<(string Scope, string StepId), Queue<Payload>>();
        Payload? runInput = null;
        var firstTop = true;
        foreach (var entry in journal)
        {
            if (entry.Kind == JournalEntryKind.RunStarted) runInput ??= entry.Payload;
            if (entry.Kind != JournalEntryKind.StepCompleted || entry.Key is not { } key || entry.Next is not { } next) continue;
            var slot = (ScopeOf(key), next);
            if (!handed.TryGetValue(slot, out var outputs)) handed[slot] = outputs = new Queue<Payload>();
            outputs.Enqueue(entry.Payload ?? Payload.Empty);
            if (ScopeOf(key).Length == 0 && IsHidden(key, hiddenKeys)) firstTop = false;
        }

        var inputs = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var step in steps)
        {
            var scope = ScopeOf(step.Key);
            if (handed.TryGetValue((scope, step.Id), out var outputs) && outputs.TryDequeue(out var input))
            {
                inputs[step.Key] = RunReport.Value(input);
            }
            else if (scope.Length == 0 && firstTop && runInput is not null)
            {
                inputs[step.Key] = RunReport.Value(runInput);
            }

            if (scope.Length == 0) firstTop = false;
        }

        return inputs;
    }

    /// <summary>The key's scope: everything before its last step segment (<c>2:parallel/first/1:a</c> → <c>2:parallel/first/</c>).</summary>
    private static string ScopeOf(string key) => key[..(key.LastIndexOf('/') + 1)];

    private static bool IsHidden(string key, IReadOnlyCollection<string> hiddenKeys) =>
        hiddenKeys.Any(h => key.StartsWith(h, StringComparison.Ordinal) && (key.Length == h.Length || key[h.Length] == '/'));
}
