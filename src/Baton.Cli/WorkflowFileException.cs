using Baton.Yaml;

namespace Baton.Cli;

/// <summary>A workflow file has problems: each is printed as <c>file:line:column: message</c>, exit 2.</summary>
internal sealed class InvalidWorkflowFileException(IReadOnlyList<WorkflowFileError> errors) : Exception($"{errors.Count} problem(s)")
{
    public IReadOnlyList<WorkflowFileError> Errors { get; } = errors;
}
