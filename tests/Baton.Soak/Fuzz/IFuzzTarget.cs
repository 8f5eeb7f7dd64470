namespace Baton.Soak.Fuzz;

/// <summary>Something that interprets untrusted input, and the inputs to give it.</summary>
public interface IFuzzTarget : IAsyncDisposable
{
    /// <summary>The target's name on the command line and in the report.</summary>
    string Name { get; }

    /// <summary>Its share of the inputs, relative to the other targets' weights.</summary>
    int Weight { get; }

    /// <summary>Sets up what every input needs (a server, a template store) once.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Makes input <paramref name="index"/> from <paramref name="random"/> and gives it to the target. Returns how it
    /// ended; throws <see cref="FuzzFailure"/> when a rule was broken. Any other exception is a crash.
    /// </summary>
    Task<FuzzOutcome> RunAsync(int index, Random random, CancellationToken cancellationToken);
}
