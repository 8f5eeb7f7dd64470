using Baton.Yaml.Building;
using Baton.Yaml.Loading;
using Baton.Yaml.Model;
using Baton.Yaml.Providers;

namespace Baton.Yaml;

/// <summary>Reads workflow files (the format of WORKFLOW-FORMAT.md) and reports every problem with its position.</summary>
public static class WorkflowFile
{
    /// <summary>Reads and checks a workflow file's text.</summary>
    /// <param name="text">The YAML.</param>
    /// <param name="file">The name errors are reported under (the path as the user gave it).</param>
    /// <returns>The document when the file is valid; otherwise every error, ordered by position.</returns>
    public static WorkflowFileReadResult Read(string text, string file) => Read(text, file, ModelProviders.Default);

    /// <summary>Reads and checks a workflow file's text whose models may name the given providers.</summary>
    /// <param name="text">The YAML.</param>
    /// <param name="file">The name errors are reported under (the path as the user gave it).</param>
    /// <param name="providers">The model providers <c>provider:</c> may name (files it includes are read with the same).</param>
    /// <returns>The document when the file is valid; otherwise every error, ordered by position.</returns>
    public static WorkflowFileReadResult Read(string text, string file, ModelProviders providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        return Read(text, file, new WorkflowFileOptions { Providers = providers });
    }

    /// <summary>Reads and checks a workflow file's text with the given options (providers, whether unset secrets are only warnings).</summary>
    /// <param name="text">The YAML.</param>
    /// <param name="file">The name errors are reported under (the path as the user gave it).</param>
    /// <param name="options">How to read it; <see cref="WorkflowFileOptions.ModelSwaps"/> apply only when it is built.</param>
    /// <returns>The document when the file is valid; otherwise every error, ordered by position; and any warnings.</returns>
    public static WorkflowFileReadResult Read(string text, string file, WorkflowFileOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(file);
        ArgumentNullException.ThrowIfNull(options);
        return WorkflowDocumentReader.Read(text, file, options.Providers, options.SecretsOptional);
    }

    /// <summary>Reads a YAML (or JSON) value, such as a file of inputs, as JSON.</summary>
    /// <exception cref="FormatException">The text is not YAML, or passes one of the <see cref="WorkflowFileLimits"/>.</exception>
    public static System.Text.Json.Nodes.JsonNode? ReadValue(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > WorkflowFileLimits.MaxFileLength) throw new FormatException($"the text is {text.Length} characters long; at most {WorkflowFileLimits.MaxFileLength} (1 MiB) are read");
        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        try
        {
            stream.Load(new BoundedParser(new YamlDotNet.Core.Parser(new StringReader(text))));
        }
        catch (YamlLimitException ex)
        {
            throw new FormatException($"({ex.Start.Line}:{ex.Start.Column}) {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or InvalidOperationException or ArgumentException)
        {
            throw new FormatException(ex.Message, ex);
        }

        return stream.Documents.Count == 0 ? null : YamlNodes.ToJson(stream.Documents[0].RootNode);
    }

    /// <summary>Reads and checks a workflow file.</summary>
    public static Task<WorkflowFileReadResult> ReadAsync(string path, CancellationToken cancellationToken = default) =>
        ReadAsync(path, ModelProviders.Default, cancellationToken);

    /// <summary>Reads and checks a workflow file whose models may name the given providers.</summary>
    public static async Task<WorkflowFileReadResult> ReadAsync(string path, ModelProviders providers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(providers);
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            // Refused before reading, so a huge file is never loaded into memory.
            if (new FileInfo(path).Length is var length && length > WorkflowFileLimits.MaxFileLength)
            {
                return new WorkflowFileReadResult(null, [new WorkflowFileError(path, 1, 1, $"the file is {length} bytes long; at most {WorkflowFileLimits.MaxFileLength} (1 MiB) are read")]);
            }

            text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new WorkflowFileReadResult(null, [new WorkflowFileError(path, 1, 1, $"cannot read the file: {ex.Message}")]);
        }

        return Read(text, path, providers);
    }

    /// <summary>
    /// Makes a valid file's document into a workflow and its subscriptions. Workflow agents written as
    /// <c>workflow: { file: ... }</c> are read relative to the document's file.
    /// </summary>
    /// <param name="document">A document from <see cref="Read(string, string, ModelProviders)"/>.</param>
    /// <param name="modelAgents">Makes model agents from their chat clients (which the models' providers make); <see cref="ModelAgents.Create"/> with no tools when null.</param>
    /// <exception cref="WorkflowFileException">A referenced workflow file is invalid.</exception>
    public static BuiltWorkflowFile Build(WorkflowDocument document, ModelAgentFactory? modelAgents = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Build(document, modelAgents, new HashSet<string>(StringComparer.Ordinal) { Path.GetFullPath(document.File) });
    }

    /// <summary>Reads, checks and builds a workflow file: the built workflow, or every error.</summary>
    public static Task<(BuiltWorkflowFile? Workflow, IReadOnlyList<WorkflowFileError> Errors)> LoadAsync(string path, ModelAgentFactory? modelAgents = null, CancellationToken cancellationToken = default) =>
        LoadAsync(path, ModelProviders.Default, modelAgents, cancellationToken);

    /// <summary>Reads, checks and builds a workflow file whose models may name the given providers: the built workflow, or every error.</summary>
    public static async Task<(BuiltWorkflowFile? Workflow, IReadOnlyList<WorkflowFileError> Errors)> LoadAsync(string path, ModelProviders providers, ModelAgentFactory? modelAgents = null, CancellationToken cancellationToken = default)
    {
        var read = await ReadAsync(path, providers, cancellationToken).ConfigureAwait(false);
        if (!read.IsValid) return (null, read.Errors);
        try
        {
            return (Build(read.Document!, modelAgents), []);
        }
        catch (WorkflowFileException ex)
        {
            return (null, ex.Errors);
        }
    }

    /// <summary>
    /// Reads, checks and builds a workflow file from given text, reading the files it refers to (<c>workflow: { file: ... }</c>)
    /// through <paramref name="readFile"/> instead of the disk: a stored run's workflow is rebuilt exactly as it was when
    /// the run started, and a host can record what was read.
    /// </summary>
    /// <param name="text">The file's YAML.</param>
    /// <param name="file">The file's path: errors are reported under it, and referenced files are resolved against its folder.</param>
    /// <param name="readFile">Gives a referenced file's text by its full path, or null when there is no such file.</param>
    /// <param name="modelAgents">Makes model agents; <see cref="ModelAgents.Create"/> with no tools when null.</param>
    /// <returns>The built workflow, or every error.</returns>
    public static (BuiltWorkflowFile? Workflow, IReadOnlyList<WorkflowFileError> Errors) Load(string text, string file, Func<string, string?> readFile, ModelAgentFactory? modelAgents = null)
    {
        var (workflow, errors, _) = Load(text, file, readFile, new WorkflowFileOptions(), modelAgents);
        return (workflow, errors);
    }

    /// <summary>
    /// Reads, checks and builds a workflow file from given text, as <see cref="Load(string, string, Func{string, string?}, ModelAgentFactory?)"/>
    /// does, with options: the providers, whether unset secrets are only warnings (files it refers to are read alike),
    /// and models of this file swapped for others.
    /// </summary>
    /// <param name="text">The file's YAML.</param>
    /// <param name="file">The file's path: errors are reported under it, and referenced files are resolved against its folder.</param>
    /// <param name="readFile">Gives a referenced file's text by its full path, or null when there is no such file.</param>
    /// <param name="options">How to read and build it.</param>
    /// <param name="modelAgents">Makes model agents; <see cref="ModelAgents.Create"/> with no tools when null.</param>
    /// <returns>The built workflow, or every error; and the warnings of the files read.</returns>
    /// <exception cref="ArgumentException">A model swap names a model the file does not have.</exception>
    public static (BuiltWorkflowFile? Workflow, IReadOnlyList<WorkflowFileError> Errors, IReadOnlyList<WorkflowFileError> Warnings) Load(
        string text, string file, Func<string, string?> readFile, WorkflowFileOptions options, ModelAgentFactory? modelAgents = null)
    {
        ArgumentNullException.ThrowIfNull(readFile);
        ArgumentNullException.ThrowIfNull(options);
        var read = Read(text, file, options);
        var warnings = new List<WorkflowFileError>(read.Warnings);
        if (!read.IsValid) return (null, read.Errors, warnings);
        var document = ModelSwap.Apply(read.Document!, options.ModelSwaps, options.Providers);
        try
        {
            return (Build(document, modelAgents, new HashSet<string>(StringComparer.Ordinal) { Path.GetFullPath(file) }, readFile, options.SecretsOptional, warnings), [], warnings);
        }
        catch (WorkflowFileException ex)
        {
            return (null, ex.Errors, warnings);
        }
    }

    private static string? ReadFromDisk(string path) => File.Exists(path) ? File.ReadAllText(path) : null;

    private static BuiltWorkflowFile Build(WorkflowDocument document, ModelAgentFactory? modelAgents, HashSet<string> loading, Func<string, string?>? readFile = null, bool secretsOptional = false, List<WorkflowFileError>? warnings = null)
    {
        readFile ??= ReadFromDisk;
        BuiltWorkflowFile LoadNested(string path)
        {
            var full = Path.GetFullPath(path);
            if (!loading.Add(full)) throw new WorkflowFileException([new WorkflowFileError(document.File, 1, 1, $"workflow file '{path}' includes itself")]);
            try
            {
                var text = readFile(full);
                if (text is null) throw new WorkflowFileException([new WorkflowFileError(document.File, 1, 1, $"workflow file '{path}' does not exist")]);
                var read = Read(text, path, new WorkflowFileOptions { Providers = document.Providers, SecretsOptional = secretsOptional });
                warnings?.AddRange(read.Warnings);
                if (!read.IsValid) throw new WorkflowFileException(read.Errors);
                return Build(read.Document!, modelAgents, loading, readFile, secretsOptional, warnings);
            }
            finally
            {
                loading.Remove(full);
            }
        }

        return new WorkflowDocumentBuilder(document, modelAgents ?? ModelAgents.Create(), LoadNested).Build();
    }
}
