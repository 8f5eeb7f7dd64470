using System.Text.Json.Nodes;
using Baton.Storage;
using Baton.Yaml;

namespace Baton.Cli;

/// <summary>
/// A workflow file as a run stores it (<see cref="RunRecord.Definition"/>): <c>{ "main": path, "files": { path: text } }</c>,
/// the file and every file it refers to, by full path. Resuming, answering and forking rebuild the workflow from it,
/// never from the disk, so editing or moving the file never changes a run already started.
/// </summary>
internal sealed record WorkflowDefinition(string Main, IReadOnlyDictionary<string, string> Files)
{
    /// <summary>Reads, checks and builds a file from the disk, recording its text and the text of every file it refers to.</summary>
    public static (BuiltWorkflowFile Built, WorkflowDefinition Definition) Load(string path)
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
        var (built, errors) = WorkflowFile.Load(text, path, referenced =>
        {
            var full = Path.GetFullPath(referenced);
            if (!File.Exists(full)) return null;
            return files[full] = File.ReadAllText(full);
        });
        if (built is null) throw new InvalidWorkflowFileException(errors);
        return (built, new WorkflowDefinition(main, files));
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
            return new WorkflowDefinition(main, files);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new UsageException($"run '{runId}' has a stored workflow this command cannot read: {ex.Message}");
        }
    }

    /// <summary>The definition as stored: <c>{ "main": path, "files": { path: text } }</c>.</summary>
    public string ToJson() => new JsonObject
    {
        ["main"] = Main,
        ["files"] = new JsonObject(Files.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)JsonValue.Create(f.Value)))),
    }.ToJsonString();

    /// <summary>Builds the workflow from the stored texts alone.</summary>
    public BuiltWorkflowFile Build()
    {
        var (built, errors) = WorkflowFile.Load(Files[Main], Main, referenced => Files.GetValueOrDefault(Path.GetFullPath(referenced)));
        return built ?? throw new InvalidWorkflowFileException(errors);
    }
}
