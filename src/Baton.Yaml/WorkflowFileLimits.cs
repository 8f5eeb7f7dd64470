namespace Baton.Yaml;

/// <summary>
/// The bounds on what a workflow file (or a YAML value such as a file of inputs) may make Baton read, so a hostile file
/// is refused with a positioned error instead of exhausting memory or the stack.
/// </summary>
public static class WorkflowFileLimits
{
    /// <summary>The largest file read: 1 MiB (bytes on disk; characters of text given directly).</summary>
    public const int MaxFileLength = 1024 * 1024;

    /// <summary>The deepest nesting of lists and maps, counted after aliases are expanded.</summary>
    public const int MaxDepth = 64;

    /// <summary>The most values (scalars, lists and maps, keys included) a file may produce once its aliases are expanded.</summary>
    public const int MaxNodes = 100_000;
}
