using System.Collections.Concurrent;

namespace Baton.Orleans.Tests;

/// <summary>How often each step executed, keyed by its idempotency key, shared by every worker of the in-process cluster.</summary>
internal sealed class Ledger
{
    private readonly ConcurrentDictionary<string, int> _executions = new(StringComparer.Ordinal);

    public int Record(IStepContext context) => _executions.AddOrUpdate(context.IdempotencyKey, 1, static (_, n) => n + 1);

    public int Count(string runId, string stepId) =>
        _executions.Where(e => e.Key.StartsWith(runId + "/", StringComparison.Ordinal) && e.Key.EndsWith(":" + stepId, StringComparison.Ordinal)).Sum(e => e.Value);
}
