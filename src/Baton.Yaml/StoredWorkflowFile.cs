using System.Text.Json.Nodes;
using Baton.Yaml.Providers;

namespace Baton.Yaml;

/// <summary>
/// A workflow file as a run stores it (<see cref="Storage.RunRecord.Definition"/>): <c>{ "main": path, "files": { path: text },
/// "models": ["NAME=PROVIDER:MODEL"] }</c>, the file and every file it refers to, by full path. Resuming, answering and
/// forking rebuild the workflow from it, never from the disk, so editing or moving the file never changes a run already
/// started. The <c>baton</c> command and <c>baton serve</c> store the same shape, so either can take over the other's runs.
/// </summary>
/// <param name="Main">The main file's full path.</param>
/// <param name="Files">The text of the main file and of every file it refers to, by full path.</param>
public sealed record StoredWorkflowFile(string Main, IReadOnlyDictionary<string, string> Files)
{
    /// <summary>Models swapped for others when the run started (<c>baton run --model</c>).</summary>
    public IReadOnlyList<ModelSwap> Models { get; init; } = [];

    /// <summary>
    /// Reads a file and the files it refers to from the disk, recording their texts: the built file and what is stored,
    /// with the warnings; or null and the problems when it is invalid or cannot be read.
    /// </summary>
    /// <param name="path">The file, as given.</param>
    /// <param name="secretsOptional">True when an unset <c>${env.X}</c> is only a warning (the file is checked, not run yet).</param>
    /// <param name="models">Models to swap for others (<c>baton run --model</c>); stored with the file.</param>
    /// <exception cref="ArgumentException">A swap names a model the file does not have.</exception>
    public static (BuiltWorkflowFile? Built, StoredWorkflowFile? Stored, IReadOnlyList<WorkflowFileError> Problems) Load(string path, bool secretsOptional = false, IReadOnlyList<ModelSwap>? models = null)
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
        var options = new WorkflowFileOptions { SecretsOptional = secretsOptional, ModelSwaps = models ?? [] };
        var (built, errors, warnings) = WorkflowFile.Load(text, path, referenced =>
        {
            var full = Path.GetFullPath(referenced);
            if (!File.Exists(full)) return null;
            return files[full] = File.ReadAllText(full);
        }, options);
        return built is null ? (null, null, errors) : (built, new StoredWorkflowFile(main, files) { Models = options.ModelSwaps }, warnings);
    }

    /// <summary>Reads a stored definition; null when it is not one (a workflow built in code, or another host's).</summary>
    public static StoredWorkflowFile? TryParse(string? json) => TryParse(json, out var stored, out _) ? stored : null;

    /// <summary>Reads a stored definition; false, and why, when it is not one.</summary>
    public static bool TryParse(string? json, out StoredWorkflowFile? stored, out string? problem)
    {
        stored = null;
        problem = null;
        if (json is null)
        {
            problem = "there is none";
            return false;
        }

        try
        {
            var node = JsonNode.Parse(json)!.AsObject();
            var files = node["files"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal);
            var main = node["main"]!.GetValue<string>();
            if (!files.ContainsKey(main))
            {
                problem = "the main file's text is missing";
                return false;
            }

            var models = new List<ModelSwap>();
            foreach (var model in node["models"]?.AsArray() ?? [])
            {
                if (!ModelSwap.TryParse(model!.GetValue<string>(), out var swap, out var error))
                {
                    problem = error;
                    return false;
                }

                models.Add(swap!);
            }

            stored = new StoredWorkflowFile(main, files) { Models = models };
            return true;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            problem = ex.Message;
            return false;
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
