namespace Baton.Server.Workflows;

/// <summary>
/// A started run (its id; its handle when it executes in this process, null when it was handed to where runs execute),
/// or the code, message and every problem of a refused start.
/// </summary>
internal sealed record RunStartResult(string? RunId, RunHandle? Handle, string? Code, string Message, IReadOnlyList<string> Problems)
{
    public static RunStartResult Refused(string code, string message, IReadOnlyList<string> problems) => new(null, null, code, message, problems);

    /// <summary>The message and its problems, in one line.</summary>
    public string Describe() => Problems.Count == 0 ? Message : $"{Message}: {string.Join("; ", Problems)}";
}
