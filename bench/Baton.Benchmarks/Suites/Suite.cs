namespace Baton.Benchmarks.Suites;

/// <summary>What every suite shares: the names of the four sides, and the one-run checks.</summary>
public static class Suite
{
    /// <summary>Baton on a shared runtime with the in-memory store (last 64 finished runs kept).</summary>
    public const string Baton = "Baton";

    /// <summary>Diagnostic: Baton on a store that keeps nothing (see <see cref="Shapes.ForgetfulStore"/>).</summary>
    public const string BatonNoStore = "Baton, store keeps nothing";

    /// <summary>The same agents with plain awaits and Task.WhenAll.</summary>
    public const string Raw = "Raw .NET";

    /// <summary>MAF Workflows, InProcessExecution.Lockstep.</summary>
    public const string MafLockstep = "MAF Lockstep";

    /// <summary>MAF Workflows, InProcessExecution.Default.</summary>
    public const string MafDefault = "MAF Default";

    /// <summary>Runs a setup check to its end (setup is synchronous in BenchmarkDotNet).</summary>
    public static void Check(Func<Task> check) => Task.Run(check).GetAwaiter().GetResult();

    /// <summary>Throws when a side did not produce what the shape should.</summary>
    public static void Expect(bool condition, string what)
    {
        if (!condition) throw new InvalidOperationException($"{what}: unexpected result");
    }
}
