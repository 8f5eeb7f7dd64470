using System.Text.Json.Nodes;
using Baton.Yaml.Loading;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Providers;

/// <summary>
/// What an <see cref="IModelProvider"/> reads a model's settings with: the model's keys (already checked against
/// <see cref="IModelProvider.Keys"/>) and typed readers that report a wrong value at its line and column, as the rest
/// of the file is checked. Every reader returns null after reporting.
/// </summary>
public sealed class ModelSettingsReader
{
    private readonly YamlNodes _nodes;
    private readonly IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> _keys;

    internal ModelSettingsReader(YamlNodes nodes, string model, YamlMappingNode node, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> keys)
    {
        _nodes = nodes;
        _keys = keys;
        Model = model;
        Node = node;
    }

    /// <summary>The model's name in the file.</summary>
    public string Model { get; }

    /// <summary>The model's map, where errors about the model as a whole are reported.</summary>
    public YamlMappingNode Node { get; }

    /// <summary>The value of a key the file gives, or null when it does not.</summary>
    public YamlNode? this[string key] => _keys.TryGetValue(key, out var entry) ? entry.Value : null;

    /// <summary>Reports a problem at a node.</summary>
    public void Error(YamlNode node, string message)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrEmpty(message);
        _nodes.Diagnostics.Add(node, message);
    }

    /// <summary>A text value.</summary>
    public string? Text(YamlNode node, string what) => _nodes.Text(node, what);

    /// <summary>A whole number of at least <paramref name="min"/>.</summary>
    public int? Integer(YamlNode node, string what, int min = int.MinValue) => _nodes.Integer(node, what, min);

    /// <summary>A number.</summary>
    public double? Number(YamlNode node, string what) => _nodes.Number(node, what);

    /// <summary>true or false.</summary>
    public bool? Boolean(YamlNode node, string what) => _nodes.Boolean(node, what);

    /// <summary>A duration such as 250ms, 2s, 5m or 24h.</summary>
    public TimeSpan? Duration(YamlNode node, string what) => _nodes.Duration(node, what);

    /// <summary>A text value whose <c>${env.NAME}</c> are replaced by the environment's values: a secret, never shown in a message.</summary>
    public string? Secret(YamlNode node, string what) => Secrets.Resolve(_nodes, node, what);

    /// <summary>A map.</summary>
    public YamlMappingNode? Mapping(YamlNode node, string what) => _nodes.Mapping(node, what);

    /// <summary>A list.</summary>
    public YamlSequenceNode? Sequence(YamlNode node, string what) => _nodes.Sequence(node, what);

    /// <summary>A map's entries by key, reporting any key not in <paramref name="allowed"/> (with the closest suggested).</summary>
    public IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> Keys(YamlMappingNode mapping, string where, IReadOnlyCollection<string> allowed) =>
        _nodes.Keys(mapping, where, allowed);

    /// <summary>A YAML value as JSON (plain scalars that read as numbers, booleans or null become those).</summary>
    public static JsonNode? ToJson(YamlNode node) => YamlNodes.ToJson(node);
}
