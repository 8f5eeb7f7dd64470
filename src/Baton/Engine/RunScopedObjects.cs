using System.Collections.Concurrent;

namespace Baton;

/// <summary>
/// Objects that live as long as one execution of a run (see <see cref="ChildSteps.RunScopedAsync"/>): made once on first
/// use, disposed together when the execution ends, whatever its outcome.
/// </summary>
internal sealed class RunScopedObjects : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<IAsyncDisposable>>> _objects = new(StringComparer.Ordinal);
    private int _disposed;

    public async Task<T> GetAsync<T>(string key, Func<CancellationToken, Task<T>> start, CancellationToken cancellationToken)
        where T : class, IAsyncDisposable
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        // Started without the asking step's token: other steps share the object, so one step's cancellation must not
        // fail it for them; the asking step stops waiting when its own token is cancelled.
        var made = _objects.GetOrAdd(key, _ => new Lazy<Task<IAsyncDisposable>>(async () => await start(CancellationToken.None).ConfigureAwait(false)));
        var value = await made.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        return value as T ?? throw new InvalidOperationException($"the run-scoped object '{key}' is a {value.GetType().Name}, not a {typeof(T).Name}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var made in _objects.Values)
        {
            if (!made.IsValueCreated) continue;
            try
            {
                var value = await made.Value.ConfigureAwait(false);
                await value.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // It failed to start (its steps saw why) or to stop: the run's outcome stands either way.
            }
        }

        _objects.Clear();
    }
}
