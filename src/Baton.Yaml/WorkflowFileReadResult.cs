using Baton.Yaml.Model;

namespace Baton.Yaml;

/// <summary>A read workflow file: the document, or the errors that kept it from being one.</summary>
/// <param name="Document">The document, when there are no errors.</param>
/// <param name="Errors">Every problem, ordered by position.</param>
public sealed record WorkflowFileReadResult(WorkflowDocument? Document, IReadOnlyList<WorkflowFileError> Errors)
{
    /// <summary>True when the file is valid.</summary>
    public bool IsValid => Errors.Count == 0;

    /// <summary>
    /// What would fail only when the file runs, ordered by position: an unset <c>${env.NAME}</c> when the file was read
    /// with <see cref="WorkflowFileOptions.SecretsOptional"/> (otherwise that is an error).
    /// </summary>
    public IReadOnlyList<WorkflowFileError> Warnings { get; init; } = [];
}
