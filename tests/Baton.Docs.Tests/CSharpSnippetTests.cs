using Xunit.Abstractions;

namespace Baton.Docs.Tests;

/// <summary>
/// Every <c>```csharp</c> block of README.md and docs/*.md compiles against the Baton assemblies.
/// </summary>
/// <remarks>
/// The convention (also in docs/README.md), given by an HTML comment on the line(s) just above a block's fence:
/// <list type="bullet">
/// <item>no comment: the block is a whole program — its own usings, top-level statements and/or types — compiled with
/// the SDK's implicit usings (System, System.IO, System.Linq, System.Collections.Generic, System.Net.Http,
/// System.Threading, System.Threading.Tasks), as in a new console project;</item>
/// <item><c>&lt;!-- snippet: fragment(BatonRuntime runtime, Workflow workflow) --&gt;</c>: the block is statements (and
/// local functions or types) that use a context it does not declare; it is compiled after the page's usings
/// (<c>&lt;!-- snippet-usings: Baton, Baton.AI --&gt;</c>, anywhere on the page) and the declarations between the
/// parentheses, as the body of a program; <c>snippet: fragment</c> without parentheses declares nothing;</item>
/// <item><c>&lt;!-- snippet: skip REASON --&gt;</c>: the block is not compiled; <see cref="Skipped_blocks_say_why"/>
/// lists it with its reason, which must be given.</item>
/// </list>
/// Errors are reported at the page's file, line and column.
/// </remarks>
public sealed class CSharpSnippetTests(ITestOutputHelper output)
{
    /// <summary>Every C# block of the pages, by its file and line.</summary>
    public static TheoryData<string> Blocks()
    {
        var data = new TheoryData<string>();
        foreach (var page in Repository.Pages())
        {
            foreach (var block in MarkdownPage.Read(page).Blocks.Where(IsCSharp)) data.Add(block.ToString());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Compiles(string where)
    {
        var (page, block) = Find(where);
        var reason = Snippets.SkipReason(block.Marker);
        if (reason is not null)
        {
            output.WriteLine($"{where}: skipped: {reason}");
            return;
        }

        var errors = SnippetCompiler.Errors(block, page.Usings);
        Assert.True(errors.Count == 0, $"{where} does not compile:\n{string.Join('\n', errors)}");
    }

    [Fact]
    public void Skipped_blocks_say_why()
    {
        var skipped = Repository.Pages().SelectMany(p => MarkdownPage.Read(p).Blocks)
            .Where(IsCSharp)
            .Select(b => (Block: b, Reason: Snippets.SkipReason(b.Marker)))
            .Where(s => s.Reason is not null)
            .ToArray();
        foreach (var (block, reason) in skipped) output.WriteLine($"{block}: {reason}");
        Assert.All(skipped, s => Assert.False(string.IsNullOrWhiteSpace(s.Reason), $"{s.Block} is skipped without a reason"));
    }

    [Fact]
    public void Markers_are_known()
    {
        // A misspelt marker would silently compile a fragment as a program (and fail confusingly) or skip nothing.
        var unknown = Repository.Pages().SelectMany(p => MarkdownPage.Read(p).Blocks)
            .Where(b => IsCSharp(b) && b.Marker is not null && Snippets.FragmentContext(b.Marker) is null && Snippets.SkipReason(b.Marker) is null)
            .Select(b => $"{b}: {b.Marker}")
            .ToArray();
        Assert.True(unknown.Length == 0, "unknown snippet markers:\n" + string.Join('\n', unknown));
    }

    [Fact]
    public void A_wrong_snippet_fails_at_its_page_line()
    {
        var block = new CodeBlock("docs/example.md", 40, "csharp", "using Baton;\n\nvar runtime = new BatonRuntime();\nruntime.NoSuchMethod();", null);
        var errors = SnippetCompiler.Errors(block, []);
        var error = Assert.Single(errors);
        Assert.StartsWith("docs/example.md:43:9: CS1061", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fragment_sees_its_page_usings_and_declared_context()
    {
        var block = new CodeBlock("docs/example.md", 10, "csharp", "var result = await runtime.RunAsync(workflow);", "snippet: fragment(BatonRuntime runtime, Workflow workflow)");
        Assert.Empty(SnippetCompiler.Errors(block, ["Baton"]));
        Assert.Contains(SnippetCompiler.Errors(block, []), e => e.Contains("CS0246", StringComparison.Ordinal));
    }

    private static bool IsCSharp(CodeBlock block) => block.Language is "csharp" or "cs" or "c#";

    private static (MarkdownPage Page, CodeBlock Block) Find(string where)
    {
        var colon = where.LastIndexOf(':');
        var page = MarkdownPage.Read(where[..colon]);
        var line = int.Parse(where[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return (page, page.Blocks.Single(b => b.Line == line));
    }
}
