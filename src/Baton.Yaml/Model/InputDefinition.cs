using System.Text.Json.Nodes;

namespace Baton.Yaml.Model;

/// <summary>A named input.</summary>
/// <param name="Name">The input's name.</param>
/// <param name="Type">string, number, boolean, object or array.</param>
/// <param name="Default">The value when none is given.</param>
/// <param name="Required">True when a value must be given.</param>
public sealed record InputDefinition(string Name, string Type, JsonNode? Default, bool Required);
