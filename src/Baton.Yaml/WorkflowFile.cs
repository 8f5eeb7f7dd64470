namespace Baton.Yaml;

/// <summary>Reads workflow files (the format of WORKFLOW-FORMAT.md) and reports every problem with its position.</summary>
public static class WorkflowFile
{
    /// <summary>Reads and checks a workflow file's text.</summary>
    /// <param name="text">The YAML.</param>
    /// <param name="file">The name errors are reported under (the path as the user gave it).</param>
    /// <returns>The document when the file is valid; otherwise every error, ordered by position.</returns>
    public static WorkflowFileReadResult Read(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(file);
        var (document, errors) = WorkflowDocumentReader.Read(text, file);
        return new WorkflowFileReadResult(document, errors);
    }

    /// <summary>Reads and checks a workflow file.</summary>
    public static async Task<WorkflowFileReadResult> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new WorkflowFileReadResult(null, [new WorkflowFileError(path, 1, 1, $"cannot read the file: {ex.Message}")]);
        }

        return Read(text, path);
    }
}

/// <summary>A read workflow file: the document, or the errors that kept it from being one.</summary>
/// <param name="Document">The document, when there are no errors.</param>
/// <param name="Errors">Every problem, ordered by position.</param>
public sealed record WorkflowFileReadResult(WorkflowDocument? Document, IReadOnlyList<WorkflowFileError> Errors)
{
    /// <summary>True when the file is valid.</summary>
    public bool IsValid => Errors.Count == 0;
}
