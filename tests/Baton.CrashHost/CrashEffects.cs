namespace Baton.CrashHost;

/// <summary>
/// Where a crash workflow's agents report: <see cref="ExecutedAsync"/> when an execution starts (before any work, so a
/// kill cannot lose it), <see cref="Effect"/> when it makes its side effect (keyed by its idempotency key).
/// </summary>
public sealed class CrashEffects
{
    private readonly Func<string, ValueTask> _executed;
    private readonly Action<string, string>? _effect;

    /// <summary>Reports executions to <paramref name="executed"/>, which may block until the step may go on.</summary>
    /// <param name="executed">Told the idempotency key of each execution as it starts.</param>
    /// <param name="effect">Told each side effect: the idempotency key and the run it belongs to; null for none.</param>
    public CrashEffects(Action<string> executed, Action<string, string>? effect = null)
    {
        ArgumentNullException.ThrowIfNull(executed);
        _executed = key =>
        {
            executed(key);
            return ValueTask.CompletedTask;
        };
        _effect = effect;
    }

    /// <summary>
    /// Reports executions to <paramref name="executed"/>, whose task completes when the step may go on: a host pacing
    /// many runs at once waits without holding a thread per paused step.
    /// </summary>
    /// <param name="executed">Told the idempotency key of each execution as it starts; the step waits for its task.</param>
    /// <param name="effect">Told each side effect: the idempotency key and the run it belongs to; null for none.</param>
    public CrashEffects(Func<string, ValueTask> executed, Action<string, string>? effect = null)
    {
        ArgumentNullException.ThrowIfNull(executed);
        _executed = executed;
        _effect = effect;
    }

    /// <summary>An execution with this idempotency key starts (synchronously; a paced host's wait blocks the caller).</summary>
    public void Executed(string idempotencyKey) => ExecutedAsync(idempotencyKey).AsTask().GetAwaiter().GetResult();

    /// <summary>An execution with this idempotency key starts; the step goes on when the task completes.</summary>
    public ValueTask ExecutedAsync(string idempotencyKey) => _executed(idempotencyKey);

    /// <summary>The execution with this idempotency key, of run <paramref name="runId"/>, makes its side effect.</summary>
    public void Effect(string idempotencyKey, string runId) => _effect?.Invoke(idempotencyKey, runId);
}
