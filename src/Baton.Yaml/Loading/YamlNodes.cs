using System.Globalization;
using System.Text.Json.Nodes;
using Baton.Yaml.Expressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading;

/// <summary>Reading typed values out of YAML nodes, reporting what is wrong at the node's position.</summary>
internal sealed class YamlNodes(Diagnostics diagnostics)
{
    public Diagnostics Diagnostics { get; } = diagnostics;

    /// <summary>The inputs the file declares: a template reading any other is an error. Null before they are known.</summary>
    public IReadOnlyCollection<string>? DeclaredInputs { get; set; }

    /// <summary>Reports each <c>inputs.NAME</c> a template reads that the file does not declare, where it is written.</summary>
    private void CheckInputs(YamlScalarNode node, string template, string what)
    {
        if (DeclaredInputs is not { } declared) return;
        foreach (var (name, line, column) in Templates.InputReferences(template))
        {
            if (declared.Contains(name)) continue;
            var known = declared.Count == 0 ? "the file declares no inputs" : $"the file declares {string.Join(", ", declared)}";
            Diagnostics.AddInside(node, line, column, $"{what} reads input '{name}', which is not declared{DidYouMean.For(name, declared)}; {known}");
        }
    }

    public YamlMappingNode? Mapping(YamlNode node, string what)
    {
        if (node is YamlMappingNode mapping) return mapping;
        Diagnostics.Add(node, $"{what} must be a map of keys and values");
        return null;
    }

    public YamlSequenceNode? Sequence(YamlNode node, string what)
    {
        if (node is YamlSequenceNode sequence) return sequence;
        Diagnostics.Add(node, $"{what} must be a list");
        return null;
    }

    public string? Text(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Value: { } value } scalar && !IsNull(scalar)) return value;
        Diagnostics.Add(node, $"{what} must be a text value");
        return null;
    }

    public string? Name(YamlNode node, string what)
    {
        var text = Text(node, what);
        if (text is null) return null;
        if (text.Length == 0 || text.Any(c => !(char.IsLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            Diagnostics.Add(node, $"{what} '{text}' must be letters, digits, '-', '_' or '.'");
            return null;
        }

        return text;
    }

    public int? Integer(YamlNode node, string what, int min = int.MinValue)
    {
        if (node is YamlScalarNode { Value: { } value } && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            if (number >= min) return number;
            Diagnostics.Add(node, $"{what} must be at least {min}, not {number}");
            return null;
        }

        Diagnostics.Add(node, $"{what} must be a whole number, not {Describe(node)}");
        return null;
    }

    public double? Number(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Value: { } value } && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)) return number;
        Diagnostics.Add(node, $"{what} must be a number, not {Describe(node)}");
        return null;
    }

    public bool? Boolean(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Value: "true" or "false" } scalar) return scalar.Value == "true";
        Diagnostics.Add(node, $"{what} must be true or false, not {Describe(node)}");
        return null;
    }

    public TimeSpan? Duration(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Value: { } value } && Durations.TryParse(value, out var duration)) return duration;
        Diagnostics.Add(node, $"{what} must be a duration such as 250ms, 2s, 5m or 24h, not {Describe(node)}");
        return null;
    }

    public Expression? Expression(YamlNode node, string what)
    {
        var text = Text(node, what);
        if (text is null) return null;
        if (Expressions.Expression.TryParse(text, out var expression, out var error)) return expression;
        Diagnostics.AddInside((YamlScalarNode)node, error!.Line, error.Column, $"invalid expression in {what}: {error.Message}");
        return null;
    }

    public string? Template(YamlNode node, string what)
    {
        var text = Text(node, what);
        if (text is null) return null;
        if (Templates.TryParse(text, out var error, out var line, out var column))
        {
            CheckInputs((YamlScalarNode)node, text, what);
            return text;
        }

        Diagnostics.AddInside((YamlScalarNode)node, line, column, $"invalid template in {what}: {error}");
        return null;
    }

    /// <summary>Reports keys not in <paramref name="allowed"/>, suggesting the closest; returns the mapping's entries by key.</summary>
    public Dictionary<string, (YamlScalarNode Key, YamlNode Value)> Keys(YamlMappingNode mapping, string where, IReadOnlyCollection<string> allowed)
    {
        var entries = new Dictionary<string, (YamlScalarNode, YamlNode)>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } scalar)
            {
                Diagnostics.Add(keyNode, $"keys in {where} must be text");
                continue;
            }

            if (!allowed.Contains(key))
            {
                Diagnostics.Add(keyNode, $"unknown key '{key}' in {where}{DidYouMean.For(key, allowed)}");
                continue;
            }

            entries[key] = (scalar, value);
        }

        return entries;
    }

    /// <summary>A YAML value as JSON: plain scalars that read as numbers, booleans or null become those.</summary>
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        // Keys that are not text (YAML allows maps as keys) become their JSON text; duplicates keep the last.
        YamlMappingNode mapping => new JsonObject(mapping.Children
            .GroupBy(p => p.Key is YamlScalarNode { Value: var k } ? k ?? "" : ToJson(p.Key)?.ToJsonString() ?? "", StringComparer.Ordinal)
            .Select(g => KeyValuePair.Create(g.Key, ToJson(g.Last().Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode scalar when scalar.Style is ScalarStyle.Plain => scalar.Value switch
        {
            null or "null" or "~" or "" => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            var v when long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
            var v when double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
            var v => JsonValue.Create(v),
        },
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => null,
    };

    public static bool IsNull(YamlScalarNode scalar) => scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "null" or "~";

    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode { Value: var v } => $"'{v}'",
        YamlSequenceNode => "a list",
        _ => "a map",
    };
}
