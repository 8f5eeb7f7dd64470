namespace Baton;

/// <summary>
/// Makes run ids: 32 hex digits that sort by start time (milliseconds), then a random per-process
/// salt, then a counter, so they are unique across processes without a random draw per run
/// (a version-7 GUID asks the kernel for randomness every time, which costs more than a step).
/// </summary>
internal static class RunIds
{
    // A random GUID's first six bytes: drawn from the kernel by CoreLib, where RandomNumberGenerator would load
    // System.Security.Cryptography and OpenSSL into every `baton run` (docs/cli.md, "Start-up time").
    private static readonly long Salt = BitConverter.ToInt64(Guid.NewGuid().ToByteArray()) & 0xFFFF_FFFF_FFFF;
    private static int _counter;

    public static string New(DateTimeOffset now)
    {
        var milliseconds = now.ToUnixTimeMilliseconds() & 0xFFFF_FFFF_FFFF;
        var count = (uint)Interlocked.Increment(ref _counter);
        return string.Create(32, (milliseconds, count), static (span, state) =>
        {
            state.milliseconds.TryFormat(span[..12], out _, "x12");
            Salt.TryFormat(span[12..24], out _, "x12");
            state.count.TryFormat(span[24..], out _, "x8");
        });
    }
}
