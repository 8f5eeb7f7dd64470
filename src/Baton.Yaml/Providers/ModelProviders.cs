namespace Baton.Yaml.Providers;

/// <summary>
/// The model providers workflow files may name, by <see cref="IModelProvider.Name"/>. <see cref="Default"/> has the
/// built-in <c>openai</c> and <c>scripted</c>; <see cref="With"/> adds one (or replaces the one of the same name). Immutable.
/// </summary>
public sealed class ModelProviders
{
    private readonly IModelProvider[] _providers;

    private ModelProviders(IModelProvider[] providers) => _providers = providers;

    /// <summary>The built-in providers: <c>openai</c> (any OpenAI-compatible endpoint) and <c>scripted</c>.</summary>
    public static ModelProviders Default { get; } = new([new OpenAiModelProvider(), new ScriptedModelProvider()]);

    /// <summary>The providers, in the order they were added (the order messages list them in).</summary>
    public IReadOnlyList<IModelProvider> All => _providers;

    /// <summary>A registry with <paramref name="provider"/> added, or put in the place of the one of the same name; this one is unchanged.</summary>
    public ModelProviders With(IModelProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(provider.Name);
        var index = Array.FindIndex(_providers, p => p.Name == provider.Name);
        if (index < 0) return new ModelProviders([.. _providers, provider]);
        var copy = (IModelProvider[])_providers.Clone();
        copy[index] = provider;
        return new ModelProviders(copy);
    }

    /// <summary>Finds a provider by name.</summary>
    public bool TryGet(string name, out IModelProvider provider)
    {
        ArgumentNullException.ThrowIfNull(name);
        provider = Array.Find(_providers, p => p.Name == name)!;
        return provider is not null;
    }
}
