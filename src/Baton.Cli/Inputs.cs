using System.Text.Json;
using System.Text.Json.Nodes;
using Baton.Yaml;
using Baton.Yaml.Model;

namespace Baton.Cli;

/// <summary>A run's input: the object of all the file's inputs, from <c>--input k=v</c> and <c>--input-file</c>, checked before the run starts.</summary>
internal static class Inputs
{
    public static async Task<Payload> ReadAsync(IReadOnlyList<InputDefinition> declared, string[]? pairs, string? file, CancellationToken cancellationToken)
    {
        var values = new JsonObject();
        if (file is not null)
        {
            string text;
            try
            {
                text = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot read the input file '{file}': {ex.Message}");
            }

            JsonNode? node;
            try
            {
                node = WorkflowFile.ReadValue(text);
            }
            catch (FormatException ex)
            {
                throw new UsageException($"the input file '{file}' is not JSON or YAML: {ex.Message}");
            }

            if (node is not JsonObject fromFile) throw new UsageException($"the input file '{file}' must hold an object of input names and values");
            foreach (var (name, value) in fromFile) values[name] = value?.DeepClone();
        }

        foreach (var pair in pairs ?? [])
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0) throw new UsageException($"--input '{pair}' must be name=value");
            var name = pair[..equals];
            var text = pair[(equals + 1)..];
            // A value that reads as JSON (a number, true, an object...) is that; anything else is text.
            values[name] = TryJson(text) ?? JsonValue.Create(text);
        }

        var known = declared.Select(d => d.Name).ToArray();
        foreach (var (name, _) in values)
        {
            if (!known.Contains(name, StringComparer.Ordinal)) throw new UsageException($"unknown input '{name}'{Suggest(name, known)}; the file declares {(known.Length == 0 ? "no inputs" : string.Join(", ", known))}");
        }

        foreach (var input in declared)
        {
            if (!values.ContainsKey(input.Name))
            {
                if (input.Default is not null) values[input.Name] = input.Default.DeepClone();
                else if (input.Required) throw new UsageException($"input '{input.Name}' is required: pass --input {input.Name}=...");
                continue;
            }

            var value = values[input.Name];
            if (input.Type == "string" && value is JsonValue v && v.GetValueKind() != JsonValueKind.String) values[input.Name] = JsonValue.Create(v.ToJsonString());
            else if (!input.Accepts(values[input.Name])) throw new UsageException($"input '{input.Name}' must be a {input.Type}, not {values[input.Name]?.ToJsonString() ?? "null"}");
        }

        try
        {
            return Payload.ParseJson(values.ToJsonString());
        }
        catch (ArgumentException ex)
        {
            // Half of a surrogate pair (from a Windows command line, or a file's "\ud800" escape) is no text JSON can hold.
            throw new UsageException($"the inputs are not valid text: {ex.Message}");
        }
    }

    private static JsonNode? TryJson(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            // Not JSON, or not even valid text (checked when the inputs are joined): taken as text.
            return null;
        }
    }

    private static string Suggest(string name, string[] known) => Suggestions.Closest(name, known) is { } near ? $"; did you mean '{near}'?" : "";
}
