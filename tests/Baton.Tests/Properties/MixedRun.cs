using Baton.Storage;

namespace Baton.Tests.Properties;

/// <summary>One execution of a <see cref="MixedWorkflow"/>.</summary>
/// <param name="Result">How the run ended.</param>
/// <param name="Journal">Its whole journal.</param>
/// <param name="Store">The store it ran on.</param>
/// <param name="Invocations">Agent invocations in this execution, by idempotency key (without the run id).</param>
/// <param name="Delivered">Ids of the events this execution's runtime delivered.</param>
/// <param name="FinalState">The shared state replayed from the journal.</param>
internal sealed record MixedRun(
    RunResult Result,
    IReadOnlyList<JournalEntry> Journal,
    InMemoryRunStore Store,
    IReadOnlyDictionary<string, int> Invocations,
    IReadOnlyList<string> Delivered,
    IReadOnlyDictionary<string, Payload> FinalState);
