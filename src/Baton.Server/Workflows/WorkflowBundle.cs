using System.Text.Json.Nodes;
using Baton.Yaml;
using Baton.Yaml.Providers;

namespace Baton.Server.Workflows;

/// <summary>
/// A workflow file as a run stores it (<see cref="Storage.RunRecord.Definition"/>): <c>{ "main": path, "files": { path: text },
/// "models": ["NAME=PROVIDER:MODEL"] }</c>, the file and every file it refers to, by full path. It is the same shape the
/// <c>baton</c> command stores, so runs started by either can be resumed, answered and forked by the other.
/// </summary>
internal sealed record WorkflowBundle(string Main, IReadOnlyDictionary<string, string> Files)
{
    /// <summary>Models swapped for others when the run started (<c>baton run --model</c>).</summary>
    public IReadOnlyList<ModelSwap> Models { get; init; } = [];

    /// <summary>Reads a file and the files it refers to from the disk; null and the problems when it is invalid.</summary>
    /// <param name="path">The file, as given.</param>
    /// <param name="secretsOptional">True when an unset <c>${env.X}</c> is only a warning (the file is listed, not run yet).</param>
    public static (BuiltWorkflowFile? Built, WorkflowBundle? Bundle, IReadOnlyList<WorkflowFileError> Problems) Load(string path, bool secretsOptional)
    {
        var main = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(main);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, null, [new WorkflowFileError(path, 1, 1, $"cannot read the file: {ex.Message}")]);
        }

        var files = new Dictionary<string, string>(StringComparer.Ordinal) { [main] = text };
        var (built, errors, warnings) = WorkflowFile.Load(text, path, referenced =>
        {
            var full = Path.GetFullPath(referenced);
            if (!File.Exists(full)) return null;
            return files[full] = File.ReadAllText(full);
        }, new WorkflowFileOptions { SecretsOptional = secretsOptional });
        return built is null ? (null, null, errors) : (built, new WorkflowBundle(main, files), warnings);
    }

    /// <summary>Reads a stored definition; null when it is not one (a workflow built in code, or another host's).</summary>
    public static WorkflowBundle? TryParse(string? json)
    {
        if (json is null) return null;
        try
        {
            var node = JsonNode.Parse(json)!.AsObject();
            var files = node["files"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal);
            var main = node["main"]!.GetValue<string>();
            if (!files.ContainsKey(main)) return null;
            var models = new List<ModelSwap>();
            foreach (var model in node["models"]?.AsArray() ?? [])
            {
                if (!ModelSwap.TryParse(model!.GetValue<string>(), out var swap, out _)) return null;
                models.Add(swap!);
            }

            return new WorkflowBundle(main, files) { Models = models };
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The definition as stored.</summary>
    public string ToJson()
    {
        var json = new JsonObject
        {
            ["main"] = Main,
            ["files"] = new JsonObject(Files.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)JsonValue.Create(f.Value)))),
        };
        if (Models.Count > 0) json["models"] = new JsonArray([.. Models.Select(m => (JsonNode)JsonValue.Create(m.ToString()))]);
        return json.ToJsonString();
    }

    /// <summary>Builds the workflow from the stored texts alone (never the disk): the built file, or every problem.</summary>
    public (BuiltWorkflowFile? Built, IReadOnlyList<WorkflowFileError> Problems) Build()
    {
        try
        {
            var (built, errors, _) = WorkflowFile.Load(Files[Main], Main, referenced => Files.GetValueOrDefault(Path.GetFullPath(referenced)), new WorkflowFileOptions { ModelSwaps = Models });
            return (built, errors);
        }
        catch (ArgumentException ex)
        {
            return (null, [new WorkflowFileError(Main, 1, 1, ex.Message)]);
        }
    }
}
