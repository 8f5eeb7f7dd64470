using Baton.Yaml.Providers;

namespace Baton.Yaml.Model;

/// <summary>A named chat model: its provider and the settings the provider read from the file.</summary>
/// <param name="Name">The model's name in the file.</param>
/// <param name="Provider">The provider that read it and makes its chat client.</param>
/// <param name="Settings">What <see cref="IModelProvider.Read"/> returned (secrets resolved at load time, never shown); null only in a file with errors.</param>
public sealed record ModelDefinition(string Name, IModelProvider Provider, object? Settings)
{
    /// <summary>The resource its calls draw on.</summary>
    public string? Resource { get; init; }

    /// <summary>The settings as the provider's own type, or null when they are of another type.</summary>
    public T? SettingsAs<T>()
        where T : class => Settings as T;
}
