namespace Baton.Yaml.Providers;

/// <summary>
/// The model providers workflow files may name, by <see cref="IModelProvider.Name"/>. <see cref="Default"/> has the
/// built-in <c>openai</c> and <c>scripted</c>; <see cref="With"/> adds (or replaces) one.
/// </summary>
public sealed class ModelProviders
{
    private readonly Dictionary<string, IModelProvider> _byName;

    private ModelProviders(Dictionary<string, IModelProvider> byName) => _byName = byName;

    /// <summary>The built-in providers: <c>openai</c> (any OpenAI-compatible endpoint) and <c>scripted</c>.</summary>
    public static ModelProviders Default { get; } = new ModelProviders(new Dictionary<string, IModelProvider>(StringComparer.Ordinal))
        .With(new OpenAiModelProvider())
        .With(new ScriptedModelProvider());

    /// <summary>The providers, in the order they were added.</summary>
    public IReadOnlyCollection<IModelProvider> All => _byName.Values;

    /// <summary>A registry with <paramref name="provider"/> added, replacing one of the same name; this one is unchanged.</summary>
    public ModelProviders With(IModelProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(provider.Name);
        var copy = new Dictionary<string, IModelProvider>(_byName, StringComparer.Ordinal);
        if (copy.ContainsKey(provider.Name)) copy.Remove(provider.Name);
        copy[provider.Name] = provider;
        return new ModelProviders(copy);
    }

    /// <summary>Finds a provider by name.</summary>
    public bool TryGet(string name, out IModelProvider provider)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out provider!);
    }
}
