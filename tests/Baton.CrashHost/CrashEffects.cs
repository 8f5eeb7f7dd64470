namespace Baton.CrashHost;

/// <summary>
/// Where a crash workflow's agents report: <see cref="Executed"/> when an execution starts (before any work, so a kill
/// cannot lose it), <see cref="Effect"/> when it makes its side effect (keyed by its idempotency key).
/// </summary>
/// <param name="executed">Told the idempotency key of each execution as it starts.</param>
/// <param name="effect">Told each side effect: the idempotency key and the run it belongs to; null for none.</param>
public sealed class CrashEffects(Action<string> executed, Action<string, string>? effect = null)
{
    /// <summary>An execution with this idempotency key starts.</summary>
    public void Executed(string idempotencyKey) => executed(idempotencyKey);

    /// <summary>The execution with this idempotency key, of run <paramref name="runId"/>, makes its side effect.</summary>
    public void Effect(string idempotencyKey, string runId) => effect?.Invoke(idempotencyKey, runId);
}
