namespace Baton;

/// <summary>A workflow graph is not valid; <see cref="Problems"/> lists every problem found.</summary>
public sealed class WorkflowValidationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WorkflowValidationException(string workflow, IReadOnlyList<string> problems)
        : base($"workflow '{workflow}' is not valid: {string.Join("; ", problems)}")
    {
        Problems = problems;
    }

    /// <summary>Every problem found, each a readable sentence.</summary>
    public IReadOnlyList<string> Problems { get; }
}
