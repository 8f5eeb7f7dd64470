using System.Text.Json.Nodes;
using Baton.Yaml.Model;

namespace Baton.Server.Workflows;

/// <summary>A run's input from a request's <c>inputs</c>: the object of all the file's inputs, every problem found before the run starts.</summary>
internal static class RunInputs
{
    /// <summary>The input object (defaults filled in), or null and every problem.</summary>
    public static (Payload? Input, IReadOnlyList<string> Problems) Check(IReadOnlyList<InputDefinition> declared, JsonNode? given)
    {
        var problems = new List<string>();
        var values = new JsonObject();
        if (given is not null and not JsonObject) return (null, ["'inputs' must be an object of input names and values"]);
        var known = declared.Select(d => d.Name).ToArray();
        foreach (var (name, value) in (JsonObject?)given ?? [])
        {
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                var near = Suggestions.Closest(name, known) is { } n ? $"; did you mean '{n}'?" : "";
                problems.Add($"unknown input '{name}'{near}; the workflow declares {(known.Length == 0 ? "no inputs" : string.Join(", ", known))}");
            }
            else
            {
                values[name] = value?.DeepClone();
            }
        }

        foreach (var input in declared)
        {
            if (!values.TryGetPropertyValue(input.Name, out var value))
            {
                if (input.Default is not null) values[input.Name] = input.Default.DeepClone();
                else if (input.Required) problems.Add($"input '{input.Name}' is required");
            }
            else if (!input.Accepts(value))
            {
                problems.Add($"input '{input.Name}' must be a {input.Type}, not {value?.ToJsonString() ?? "null"}");
            }
        }

        return problems.Count > 0 ? (null, problems) : (Payload.ParseJson(values.ToJsonString()), problems);
    }
}
