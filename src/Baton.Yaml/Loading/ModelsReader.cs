using Baton.Yaml.Model;
using Baton.Yaml.Providers;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading;

/// <summary><c>models:</c>: each model's <c>provider</c> picks an <see cref="IModelProvider"/> of the registry, which reads the rest.</summary>
internal static class ModelsReader
{
    public static Dictionary<string, ModelDefinition> Read(YamlNodes nodes, References references, ModelProviders providers, YamlNode node)
    {
        var models = new Dictionary<string, ModelDefinition>(StringComparer.Ordinal);
        if (nodes.Mapping(node, "'models'") is not { } mapping) return models;
        var names = providers.All.Select(p => p.Name).ToArray();
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (nodes.Name(keyNode, "a model's name") is not { } name || nodes.Mapping(value, $"model '{name}'") is not { } spec) continue;
            var providerNode = spec.Children.TryGetValue(new YamlScalarNode("provider"), out var p) ? p : null;
            var providerName = providerNode is null ? null : nodes.Text(providerNode, "'provider'");
            if (providerName is null)
            {
                if (providerNode is null) nodes.Diagnostics.Add(spec, $"model '{name}' needs a 'provider': {Choices(names)}");
                continue;
            }

            if (!providers.TryGet(providerName, out var provider))
            {
                nodes.Diagnostics.Add(providerNode!, $"unknown provider '{providerName}'{DidYouMean.For(providerName, names)}: use {Choices(providers.All.Select(x => x.Description).ToArray())}");
                continue;
            }

            var keys = nodes.Keys(spec, $"model '{name}'", ["provider", .. provider.Keys, "resource"]);
            var settings = provider.Read(new ModelSettingsReader(nodes, name, spec, keys));
            models[name] = new ModelDefinition(name, provider, settings)
            {
                Resource = keys.TryGetValue("resource", out var resource) ? references.Resource(nodes, resource.Value) : null,
            };
        }

        return models;
    }

    /// <summary><c>a or b</c>, <c>a, b or c</c>.</summary>
    private static string Choices(IReadOnlyList<string> names) =>
        names.Count <= 1 ? string.Join("", names) : $"{string.Join(", ", names.Take(names.Count - 1))} or {names[^1]}";
}
