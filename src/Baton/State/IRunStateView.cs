namespace Baton;

/// <summary>Read access to a run's shared state.</summary>
public interface IRunStateView
{
    /// <summary>Names of the variables that have a value.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>Reads a variable; false when it has no value.</summary>
    bool TryGet(string name, out Payload value);

    /// <summary>Reads a variable bound to <typeparamref name="T"/>, or default when it has no value.</summary>
    T? Get<T>(string name) => TryGet(name, out var value) ? value.Get<T>() : default;
}
