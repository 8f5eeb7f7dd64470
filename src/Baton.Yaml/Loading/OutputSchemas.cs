using Baton.AI;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading;

/// <summary>Checks a model agent's <c>output: { schema: ... }</c> when the file loads, so a bad schema is reported where it is written.</summary>
internal static class OutputSchemas
{
    /// <summary>Reports a schema that is not valid; one with a <c>$ref</c> to a file or URL is reported at that <c>$ref</c>, never fetched.</summary>
    public static void Check(Diagnostics diagnostics, YamlNode node, string schema)
    {
        try
        {
            OutputSchema.FromJson(schema);
        }
        catch (FormatException ex)
        {
            diagnostics.Add(ExternalReference(node) ?? node, $"'schema' is {ex.Message}");
        }
    }

    /// <summary>The first <c>$ref</c> value that does not point inside the schema (<c>#...</c>).</summary>
    private static YamlNode? ExternalReference(YamlNode node)
    {
        var pending = new Stack<YamlNode>([node]);
        while (pending.TryPop(out var current))
        {
            switch (current)
            {
                case YamlMappingNode mapping:
                    foreach (var (key, value) in mapping.Children.Reverse())
                    {
                        if (key is YamlScalarNode { Value: "$ref" } && value is YamlScalarNode { Value: { } target } && !target.StartsWith('#')) return value;
                        pending.Push(value);
                    }

                    break;
                case YamlSequenceNode sequence:
                    foreach (var item in sequence.Children.Reverse()) pending.Push(item);
                    break;
            }
        }

        return null;
    }
}
