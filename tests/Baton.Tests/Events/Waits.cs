namespace Baton.Tests;

/// <summary>Bounds on waits, so a broken test fails instead of hanging; nothing here sleeps.</summary>
internal static class Waits
{
    /// <summary>Longer than any healthy wait in these tests by orders of magnitude.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>Awaits <paramref name="task"/>, failing the test if it takes longer than <see cref="Timeout"/>.</summary>
    public static Task Within(this Task task) => task.WaitAsync(Timeout);

    /// <summary>Awaits <paramref name="task"/>, failing the test if it takes longer than <see cref="Timeout"/>.</summary>
    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Timeout);

    /// <summary>The run's first event that <paramref name="match"/> accepts, failing the test if none comes within <see cref="Timeout"/>.</summary>
    public static async Task<RunEvent> EventAsync(this RunHandle run, Func<RunEvent, bool> match)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        await foreach (var e in run.WatchAsync(cancel.Token).ConfigureAwait(false))
        {
            if (match(e)) return e;
        }

        throw new InvalidOperationException($"run {run.RunId} ended without the event the test waits for");
    }
}
