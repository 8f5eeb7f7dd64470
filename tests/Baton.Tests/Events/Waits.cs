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

    /// <summary><see cref="EventBus.WhenIdleAsync"/> as a task with a result, for <see cref="FakeTime.DriveAsync{T}"/>.</summary>
    public static async Task<bool> IdleAsync(this EventBus bus)
    {
        await bus.WhenIdleAsync().ConfigureAwait(false);
        return true;
    }
}
