using Baton.Storage;

namespace Baton;

/// <summary>
/// What a run computed before it stopped, read from its journal (the happy path keeps no copy): the outputs of a
/// scope's steps, of a composite's children, or of the whole run.
/// </summary>
internal static class PartialResults
{
    /// <summary>
    /// Outputs of the steps a scope completed before a failure, <c>{ stepId: output }</c>, with the failed step's
    /// own partial results.
    /// </summary>
    public static async ValueTask<Payload> OfScopeAsync(IRunStore store, string runId, string prefix, string failedStep, StepError failure)
    {
        var properties = await ScopeOutputsAsync(store, runId, prefix).ConfigureAwait(false);
        if (failure.Partial is { IsEmpty: false } own) properties[failedStep] = own;
        return JsonPayloads.Object(properties);
    }

    /// <summary>Every output committed under a composite step, by key relative to it (<c>branch/1:step</c>), or null when none.</summary>
    public static async ValueTask<Payload?> OfChildrenAsync(IRunStore store, string runId, string key)
    {
        var journal = await store.ReadJournalAsync(runId, 0, CancellationToken.None).ConfigureAwait(false);
        var properties = journal
            .Where(e => e.Kind == JournalEntryKind.StepCompleted && e.Key is { } k && StepKey.IsUnder(k, key))
            .Select(e => new KeyValuePair<string, Payload?>(e.Key![(key.Length + 1)..], e.Payload))
            .ToList();
        return properties.Count == 0 ? null : JsonPayloads.Object(properties);
    }

    /// <summary>The outputs of the steps a scope completed, by step id (the last, for a step that ran more than once).</summary>
    public static async ValueTask<Dictionary<string, Payload?>> ScopeOutputsAsync(IRunStore store, string runId, string prefix)
    {
        var properties = new Dictionary<string, Payload?>(StringComparer.Ordinal);
        var journal = await store.ReadJournalAsync(runId, 0, CancellationToken.None).ConfigureAwait(false);
        foreach (var entry in journal)
        {
            if (entry.Kind != JournalEntryKind.StepCompleted || entry.Key is not { } key) continue;
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || key.IndexOf('/', prefix.Length) >= 0) continue;
            properties[entry.StepId!] = entry.Payload;
        }

        return properties;
    }

    /// <summary>Every output the run committed: top-level steps by id, nested ones by their full key.</summary>
    public static async ValueTask<Payload> OfRunAsync(IRunStore store, string runId)
    {
        var journal = await store.ReadJournalAsync(runId, 0, CancellationToken.None).ConfigureAwait(false);
        var properties = new Dictionary<string, Payload?>(StringComparer.Ordinal);
        foreach (var entry in journal)
        {
            if (entry.Kind != JournalEntryKind.StepCompleted || entry.Key is null) continue;
            properties[entry.Key.Contains('/', StringComparison.Ordinal) ? entry.Key : entry.StepId!] = entry.Payload;
        }

        return JsonPayloads.Object(properties);
    }
}
