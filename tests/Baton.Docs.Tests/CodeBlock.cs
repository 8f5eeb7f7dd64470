namespace Baton.Docs.Tests;

/// <summary>One fenced code block of a Markdown page.</summary>
/// <param name="File">The page, relative to the repository root.</param>
/// <param name="Line">The 1-based line of the block's first code line (the line after the opening fence).</param>
/// <param name="Language">The fence's info string (<c>csharp</c>, <c>yaml</c>...).</param>
/// <param name="Code">The block's text, without the fences.</param>
/// <param name="Marker">The <c>snippet:</c> or <c>run:</c> marker of the HTML comment just above the fence, or null.</param>
internal sealed record CodeBlock(string File, int Line, string Language, string Code, string? Marker)
{
    /// <summary>Where the block is, as a test's name shows it.</summary>
    public override string ToString() => $"{File}:{Line}";
}
