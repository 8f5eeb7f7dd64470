namespace Baton.Yaml;

/// <summary>One problem in a workflow file, where it is.</summary>
/// <param name="File">The file's path as given.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Message">What is wrong, in one line.</param>
public sealed record WorkflowFileError(string File, int Line, int Column, string Message)
{
    /// <summary><c>file:line:column: message</c>, as compilers write it.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}
