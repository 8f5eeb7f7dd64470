using System.Text.Json.Nodes;
using Baton.Storage;
using Baton.Yaml;
using Baton.Yaml.Providers;

namespace Baton.Cli;

/// <summary>
/// A workflow file as a run stores it (<see cref="RunRecord.Definition"/>): <c>{ "main": path, "files": { path: text } }</c>,
/// the file and every file it refers to, by full path. Resuming, answering and forking rebuild the workflow from it,
/// never from the disk, so editing or moving the file never changes a run already started. Models swapped with
/// <c>--model</c> are stored too (<c>"models": ["local=openai:gpt-4o-mini"]</c>), so the run keeps them.
/// </summary>
internal sealed record WorkflowDefinition(string Main, IReadOnlyDictionary<string, string> Files)
{
    /// <summary>The models swapped for others when the run started.</summary>
    public IReadOnlyList<ModelSwap> Models { get; init; } = [];

    /// <summary>
    /// Reads, checks and builds a file from the disk, recording its text and the text of every file it refers to.
    /// With <paramref name="secretsOptional"/> (validate, graph) an unset <c>${env.X}</c> is only a warning.
    /// </summary>
    /// <returns>The built file, its definition, and the warnings (file:line:column: message) to print.</returns>
    public static (BuiltWorkflowFile Built, WorkflowDefinition Definition, IReadOnlyList<WorkflowFileError> Warnings) Load(string path, IReadOnlyList<ModelSwap>? models = null, bool secretsOptional = false)
    {
        if (!File.Exists(path)) throw new UsageException($"there is no workflow file '{path}'");
        var main = Path.GetFullPath(path);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        string text;
        try
        {
            text = File.ReadAllText(main);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read the workflow file '{path}': {ex.Message}");
        }

        files[main] = text;
        var options = new WorkflowFileOptions { SecretsOptional = secretsOptional, ModelSwaps = models ?? [] };
        var (built, errors, warnings) = Load(text, path, options, referenced =>
        {
            var full = Path.GetFullPath(referenced);
            if (!File.Exists(full)) return null;
            return files[full] = File.ReadAllText(full);
        });
        if (built is null) throw new InvalidWorkflowFileException(errors);
        return (built, new WorkflowDefinition(main, files) { Models = options.ModelSwaps }, warnings);
    }

    private static (BuiltWorkflowFile? Built, IReadOnlyList<WorkflowFileError> Errors, IReadOnlyList<WorkflowFileError> Warnings) Load(string text, string path, WorkflowFileOptions options, Func<string, string?> readFile)
    {
        try
        {
            return WorkflowFile.Load(text, path, readFile, options);
        }
        catch (ArgumentException ex)
        {
            // A --model naming a model the file does not have.
            throw new UsageException(ex.Message);
        }
    }

    /// <summary>Reads a stored definition.</summary>
    /// <exception cref="UsageException">It is not a definition this command wrote.</exception>
    public static WorkflowDefinition Parse(string json, string runId)
    {
        try
        {
            var node = JsonNode.Parse(json)!.AsObject();
            var files = node["files"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal);
            var main = node["main"]!.GetValue<string>();
            if (!files.ContainsKey(main)) throw new FormatException("the main file's text is missing");
            var models = new List<ModelSwap>();
            foreach (var model in node["models"]?.AsArray() ?? [])
            {
                if (!ModelSwap.TryParse(model!.GetValue<string>(), out var swap, out var error)) throw new FormatException(error);
                models.Add(swap!);
            }

            return new WorkflowDefinition(main, files) { Models = models };
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new UsageException($"run '{runId}' has a stored workflow this command cannot read: {ex.Message}");
        }
    }

    /// <summary>The definition as stored: <c>{ "main": path, "files": { path: text } }</c>.</summary>
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

    /// <summary>Builds the workflow from the stored texts alone.</summary>
    public BuiltWorkflowFile Build()
    {
        var (built, errors, _) = Load(Files[Main], Main, new WorkflowFileOptions { ModelSwaps = Models }, referenced => Files.GetValueOrDefault(Path.GetFullPath(referenced)));
        return built ?? throw new InvalidWorkflowFileException(errors);
    }
}
