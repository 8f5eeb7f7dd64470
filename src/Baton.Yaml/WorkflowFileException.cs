namespace Baton.Yaml;

/// <summary>A workflow file could not be made into a workflow; <see cref="Errors"/> says why and where.</summary>
public sealed class WorkflowFileException(IReadOnlyList<WorkflowFileError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    /// <summary>Every problem, with its position.</summary>
    public IReadOnlyList<WorkflowFileError> Errors { get; } = errors;
}
